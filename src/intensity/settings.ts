// One place that turns provider options and the environment (DESIGN.md seams) into concrete
// URLs, time-outs and the key, so every module gets them the same way.
import { ELECTRICITYMAPS_DEFAULT_URL } from "./electricitymaps/electricitymaps-source.js";
import { CARBONINTENSITY_UK_DEFAULT_URL } from "./gb/carbonintensity-uk-source.js";
import { ENERGIDATASERVICE_DEFAULT_URL } from "./dk/energidataservice-source.js";
import { GEOLOCATION_DEFAULT_URL } from "./location/ip-geolocation.js";
import { DEFAULT_CLOUD_METADATA_URLS, type CloudMetadataUrls } from "./location/cloud-metadata.js";

/** Seconds between background refreshes unless set (the original fetches every 15 min). */
export const DEFAULT_REFRESH_INTERVAL_S = 900;
/** Time-out of one service call, in seconds. */
export const DEFAULT_TIMEOUT_S = 3;
/** Time-out of each cloud metadata probe, in seconds. */
export const DEFAULT_CLOUD_TIMEOUT_S = 1;
/** Retries after a 429 or 5xx answer. */
export const DEFAULT_RETRIES = 2;
/** First back-off delay, in seconds (doubles each retry). */
export const DEFAULT_RETRY_DELAY_S = 0.5;

/** Resolved service endpoints. */
export interface ServiceUrls {
  geolocation: string;
  electricityMaps: string;
  carbonIntensityUk: string;
  energiDataService: string;
  cloud: CloudMetadataUrls;
}

/** Service URLs from the environment, each defaulting to the public service. */
export function serviceUrls(env: Record<string, string | undefined>): ServiceUrls {
  return {
    geolocation: env.CARBONTRACKER_GEOLOCATION_URL || GEOLOCATION_DEFAULT_URL,
    electricityMaps: env.CARBONTRACKER_ELECTRICITYMAPS_URL || ELECTRICITYMAPS_DEFAULT_URL,
    carbonIntensityUk: env.CARBONTRACKER_CARBONINTENSITY_UK_URL || CARBONINTENSITY_UK_DEFAULT_URL,
    energiDataService: env.CARBONTRACKER_ENERGIDATASERVICE_URL || ENERGIDATASERVICE_DEFAULT_URL,
    cloud: {
      aws: env.CARBONTRACKER_AWS_METADATA_URL || DEFAULT_CLOUD_METADATA_URLS.aws,
      gcp: env.CARBONTRACKER_GCP_METADATA_URL || DEFAULT_CLOUD_METADATA_URLS.gcp,
      azure: env.CARBONTRACKER_AZURE_METADATA_URL || DEFAULT_CLOUD_METADATA_URLS.azure,
    },
  };
}

/** Whether CARBONTRACKER_OFFLINE forbids every network call. */
export function isOffline(env: Record<string, string | undefined>): boolean {
  const value = env.CARBONTRACKER_OFFLINE?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "0" && value !== "false" && value !== "no";
}

/**
 * The Electricity Maps key: `apiKeys.electricitymaps` (any spelling such as `electricityMaps`,
 * `electricity_maps`), else ELECTRICITYMAPS_API_KEY.
 */
export function electricityMapsKey(
  apiKeys: Record<string, string>,
  env: Record<string, string | undefined>,
): string | undefined {
  for (const [name, value] of Object.entries(apiKeys)) {
    if (/^electricity_?maps?$/i.test(name) && value) return value;
  }
  return env.ELECTRICITYMAPS_API_KEY || undefined;
}
