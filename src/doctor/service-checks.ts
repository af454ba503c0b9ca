// Whether the location and intensity services answer from here (one GET each, short time-out,
// any HTTP status counts as an answer) and what location a run knows without asking anyone.
import { existsSync } from "node:fs";
import { nodeFetch, type HttpFetch } from "../intensity/http/node-fetch.js";
import { electricityMapsKey, isOffline, serviceUrls } from "../intensity/settings.js";
import {
  defaultCacheDir,
  locationCachePath,
  readCachedLocation,
} from "../intensity/location/location-cache.js";
import { locationFromOverrides } from "../intensity/location/overrides.js";
import type { LocationDiagnosis, ServiceCheck } from "./report-model.js";

/** The services doctor asks, with the URL each is reached at. */
function configuredServices(env: Record<string, string | undefined>): { service: string; url: string }[] {
  const urls = serviceUrls(env);
  return [
    { service: "geolocation", url: urls.geolocation },
    { service: "electricitymaps", url: urls.electricityMaps },
    { service: "carbonintensity-uk", url: urls.carbonIntensityUk },
    { service: "energidataservice", url: urls.energiDataService },
  ];
}

async function checkOne(
  service: string,
  url: string,
  timeoutS: number,
  fetchImpl: HttpFetch,
): Promise<ServiceCheck> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutS * 1000) });
    const elapsedMs = elapsed();
    return {
      service,
      url,
      state: "answered",
      status: response.status,
      elapsedMs,
      detail: `answered HTTP ${response.status} in ${elapsedMs} ms`,
    };
  } catch (error) {
    const elapsedMs = elapsed();
    const name = error instanceof Error ? error.name : "";
    // fetch puts the system error in `cause`; Node's http rejects with it.
    const cause =
      (error as { cause?: { code?: string; message?: string } })?.cause ??
      (error as { code?: string; message?: string });
    const why =
      name === "TimeoutError" || name === "AbortError"
        ? `no answer within ${timeoutS} s`
        : `no answer: ${cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error))}`;
    return { service, url, state: "no-answer", elapsedMs, detail: why };
  }
}

/** Asks every configured service at once; with CARBONTRACKER_OFFLINE set, asks none. */
export async function checkServices(
  env: Record<string, string | undefined>,
  timeoutS: number,
  fetchImpl: HttpFetch = nodeFetch,
): Promise<ServiceCheck[]> {
  const services = configuredServices(env);
  const checks: ServiceCheck[] = isOffline(env)
    ? services.map(({ service, url }) => ({
        service,
        url,
        state: "not-checked" as const,
        detail: "offline (CARBONTRACKER_OFFLINE), not checked",
      }))
    : await Promise.all(services.map(({ service, url }) => checkOne(service, url, timeoutS, fetchImpl)));
  const maps = checks.find((c) => c.service === "electricitymaps");
  if (maps) {
    maps.note = electricityMapsKey({}, env)
      ? "API key set (ELECTRICITYMAPS_API_KEY)"
      : "no API key set (ELECTRICITYMAPS_API_KEY or --api_keys)";
  }
  return checks;
}

/** The override and the cached location of this host, read without any network call. */
export function diagnoseLocation(env: Record<string, string | undefined>, nowMs: number): LocationDiagnosis {
  const override = locationFromOverrides({}, env);
  const cacheDir = defaultCacheDir(env);
  const cacheFile = locationCachePath(cacheDir);
  const cached = readCachedLocation(cacheDir, nowMs);
  if (cached) {
    const savedAt = new Date(cached.savedAtMs).toISOString();
    return {
      override: override?.description ?? null,
      cacheFile,
      cached: { description: cached.location.description, method: cached.location.method, savedAt },
      cacheDetail: `${cached.location.description} (found by ${cached.location.method} lookup at ${savedAt})`,
    };
  }
  return {
    override: override?.description ?? null,
    cacheFile,
    cached: null,
    cacheDetail: existsSync(cacheFile)
      ? "cache file present but older than a day or unreadable: the next run looks the location up again"
      : "none yet: the next run looks the location up and caches it for a day",
  };
}
