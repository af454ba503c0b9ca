// Where are we? The first step that answers wins: the user's overrides, a day-old cached answer,
// the cloud region, IP geolocation, a guess from the time zone (said to be one), else the world.
// Every step says in the log what it used; there is never a silent default country.
import type { HttpConfig, MessageSink } from "../http/http-get.js";
import type { Location } from "../types.js";
import { detectCloudRegion, type CloudMetadataUrls } from "./cloud-metadata.js";
import { countryOfZone, zoneOfCloudRegion } from "./cloud-regions.js";
import { geolocateByIp } from "./ip-geolocation.js";
import { readCachedLocation, writeCachedLocation } from "./location-cache.js";
import { countryOfTimeZone } from "./timezone-guess.js";

/** What location resolution needs; `offline` skips every network step. */
export interface LocationContext {
  http: HttpConfig;
  offline: boolean;
  cacheDir: string;
  geolocationUrl: string;
  cloudUrls: CloudMetadataUrls;
  /** Time-out of each metadata probe, in seconds. */
  cloudTimeoutS: number;
  /** IANA zone for the last-resort guess (the system's by default). */
  timeZone: string | undefined;
  now: () => number;
  onMessage: MessageSink;
  signal?: AbortSignal;
}

/** The location "the world": nothing known. */
const UNKNOWN_LOCATION: Location = { description: "Unknown", method: "unknown" };

/** A location guessed from the time zone, or undefined when the zone names no country. */
function timeZoneGuess(timeZone: string | undefined): Location | undefined {
  const country = timeZone ? countryOfTimeZone(timeZone) : undefined;
  if (!country || !timeZone) return undefined;
  return {
    country,
    description: `${country} (guessed from time zone ${timeZone})`,
    method: "timezone-guess",
  };
}

/** Why detection fell back to the time zone: offline, or the lookups that failed. */
const OFFLINE_REASON = "offline (CARBONTRACKER_OFFLINE=1)";

/** The time-zone guess or the unknown location, saying why (`note`) it is no better. */
function fallbackLocation(why: string, timeZone: string | undefined): Location {
  const guess = timeZoneGuess(timeZone);
  if (guess) return { ...guess, note: why };
  return { ...UNKNOWN_LOCATION, note: `${why}, and the time zone (${timeZone ?? "none"}) names no country` };
}

/**
 * The location known without any network call: overrides, else a fresh cached answer, else the
 * time-zone guess, else unknown (offline, both say why). Used for the figure the tracker needs
 * at once.
 */
export function quickLocation(
  overrides: Location | undefined,
  cacheDir: string,
  nowMs: number,
  timeZone: string | undefined,
  offline = false,
): Location {
  const known = overrides ?? readCachedLocation(cacheDir, nowMs)?.location;
  if (known) return known;
  if (offline) return fallbackLocation(OFFLINE_REASON, timeZone);
  return timeZoneGuess(timeZone) ?? UNKNOWN_LOCATION;
}

/** Runs the steps in order and reports each one through ctx.onMessage. Never rejects. */
export async function resolveLocation(
  overrides: Location | undefined,
  ctx: LocationContext,
): Promise<Location> {
  const say = ctx.onMessage;
  if (overrides) {
    say("info", `Location: ${overrides.description}, as set by the user.`);
    return overrides;
  }
  const cached = readCachedLocation(ctx.cacheDir, ctx.now());
  if (cached) {
    say(
      "info",
      `Location: ${cached.location.description}, found by ${cached.location.method} lookup at ${new Date(cached.savedAtMs).toISOString()} (cached for a day in ${ctx.cacheDir}).`,
    );
    return cached.location;
  }
  const failures: string[] = [];
  if (!ctx.offline) {
    const cloud = await detectCloudRegion(ctx.http, ctx.cloudUrls, ctx.cloudTimeoutS, ctx.signal);
    if (cloud) {
      const zone = zoneOfCloudRegion(cloud.provider, cloud.region);
      if (zone) {
        const location: Location = {
          country: countryOfZone(zone),
          zone,
          description: `${cloud.provider} ${cloud.region} (zone ${zone})`,
          method: "cloud",
        };
        say(
          "info",
          `Location: cloud instance in ${cloud.provider} region ${cloud.region}, grid zone ${zone}.`,
        );
        writeCachedLocation(ctx.cacheDir, location, ctx.now());
        return location;
      }
      say(
        "info",
        `Location: cloud instance in ${cloud.provider} region ${cloud.region}, which has no known grid zone; asking IP geolocation.`,
      );
    }
    if (ctx.signal?.aborted) return UNKNOWN_LOCATION;
    try {
      const location = await geolocateByIp(ctx.http, ctx.geolocationUrl, ctx.signal);
      say("info", `Location: ${location.description}, from IP geolocation.`);
      writeCachedLocation(ctx.cacheDir, location, ctx.now());
      return location;
    } catch (error) {
      failures.push(
        `IP geolocation failed (${(error instanceof Error ? error.message : String(error)).replace(/\.$/, "")})`,
      );
    }
  }
  const why = ctx.offline ? OFFLINE_REASON : failures.join("; ");
  // Said once, by the default figure's warning (static-source.ts), which carries this note.
  const location = fallbackLocation(why, ctx.timeZone);
  say(
    "info",
    location.method === "timezone-guess"
      ? `Location: ${why}; guessed ${location.country} from the system time zone ${ctx.timeZone}.`
      : `Location: ${location.note}; the location is unknown.`,
  );
  return location;
}
