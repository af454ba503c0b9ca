// A detected location is kept on disk for a day, so that most runs make no lookup at all and
// a rate-limited geolocation service is asked at most once a day per machine.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { hostname, homedir } from "node:os";
import { join } from "node:path";
import type { Location } from "../types.js";
import { makeFolder } from "../../files/make-folder.js";

/** How long a cached location is trusted, in seconds. */
const LOCATION_CACHE_TTL_S = 86_400;

/** The cache folder: CARBONTRACKER_CACHE_DIR, else ~/.cache/carbontracker. */
export function defaultCacheDir(env: Record<string, string | undefined>): string {
  return env.CARBONTRACKER_CACHE_DIR || join(homedir(), ".cache", "carbontracker");
}

/** This host's name as a file name part, worked out once (a run reads and then writes the cache). */
let hostInFileName: string | undefined;

/** The cache file for this host (home folders are often shared between cluster nodes). */
export function locationCachePath(cacheDir: string): string {
  hostInFileName ??= hostname().replace(/[^A-Za-z0-9._-]/g, "_") || "host";
  return join(cacheDir, `location-${hostInFileName}.json`);
}

/** A cached location with when it was found. */
export interface CachedLocation {
  savedAtMs: number;
  location: Location;
}

/** The cached location if present and younger than the TTL at `nowMs`; undefined otherwise (never throws). */
export function readCachedLocation(cacheDir: string, nowMs: number): CachedLocation | undefined {
  try {
    const parsed = JSON.parse(readFileSync(locationCachePath(cacheDir), "utf8")) as Partial<CachedLocation>;
    const location = parsed.location;
    if (typeof parsed.savedAtMs !== "number" || !location || typeof location.description !== "string")
      return undefined;
    const ageS = (nowMs - parsed.savedAtMs) / 1000;
    if (ageS < 0 || ageS > LOCATION_CACHE_TTL_S) return undefined;
    return { savedAtMs: parsed.savedAtMs, location };
  } catch {
    return undefined;
  }
}

/** Stores a detected location (atomically; a failure to write is ignored: the cache is optional). */
export function writeCachedLocation(cacheDir: string, location: Location, nowMs: number): void {
  try {
    makeFolder(cacheDir);
    const path = locationCachePath(cacheDir);
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ savedAtMs: nowMs, location } satisfies CachedLocation));
    renameSync(temp, path);
  } catch {
    // Read-only home, full disk: the next run looks the location up again.
  }
}
