// What the tracker asks of the intensity side: a figure at once (never waiting on the network,
// so the tracked job starts immediately), then newer readings in the background as sources
// answer. Offline (CARBONTRACKER_OFFLINE=1) nothing touches the network. The implementation is
// createIntensityProvider() in live-provider.ts.
import type { HttpFetch } from "./http/node-fetch.js";
import type { IntensityReading, Location } from "./types.js";
import type { MessageLevel } from "./http/http-get.js";

/** Options the intensity side needs; all but env and apiKeys are optional. */
export interface IntensityProviderOptions {
  /** ISO alpha-2 country override (else CARBONTRACKER_COUNTRY). */
  country?: string;
  /** Electricity Maps zone override (else CARBONTRACKER_ZONE). */
  zone?: string;
  /** Coordinates override, decimal degrees (else CARBONTRACKER_LATITUDE / _LONGITUDE). */
  latitude?: number;
  longitude?: number;
  /** GB postcode override, outward code enough (else CARBONTRACKER_POSTCODE); alone it means GB. */
  postcode?: string;
  env: Record<string, string | undefined>;
  /** Service keys; `electricitymaps` (else ELECTRICITYMAPS_API_KEY). Used only in request headers. */
  apiKeys: Record<string, string>;
  /** Seconds between background refreshes; default 900 (15 min). */
  refreshIntervalS?: number;
  /** Time-out of one service call in seconds; default 3. */
  timeoutS?: number;
  /** Time-out of each cloud metadata probe in seconds; default 1. */
  cloudTimeoutS?: number;
  /** Retries after 429/5xx (default 2) and the first back-off delay in seconds (default 0.5, doubling). */
  retries?: number;
  retryDelayS?: number;
  /** How requests are made; default nodeFetch (Node's http/https, see http/node-fetch.ts). */
  fetch?: HttpFetch;
  /** Where the detected location is cached for a day; default CARBONTRACKER_CACHE_DIR, else ~/.cache/carbontracker. */
  cacheDir?: string;
  /** IANA time zone for the last-resort guess; default the system's. */
  timeZone?: string;
  /** Receives what was done: location step used, key refused, source fallbacks. Keys are redacted. */
  onMessage?: (level: MessageLevel, text: string) => void;
}

/** Gives the run its carbon intensities. */
export interface IntensityProvider {
  /** Where we think we are (updated once detection in the background has answered). */
  readonly location: Location;
  /** A figure available at once, from embedded data. */
  initial(nowMs: number): IntensityReading;
  /** Whether a live reading can come at all (false offline): if not, the default is said at once. */
  liveExpected?(): boolean;
  /** The embedded figure for the best location known now, its message saying why no better one is known. */
  fallback?(nowMs: number): IntensityReading;
  /** Starts background updates; each new reading goes to `onReading`. */
  start(onReading: (reading: IntensityReading) => void): void;
  /** Stops background work (timers, requests in flight). */
  stop(): void;
  /**
   * The mean forecast intensity over [fromMs, toMs] (Unix ms) from the first source with a
   * forecast overlapping it (`forecast: true`, validFrom/validTo = the covered part), or
   * undefined when none has one (offline, no key, outside the horizon). Never rejects.
   */
  forecastFor?(fromMs: number, toMs: number): Promise<IntensityReading | undefined>;
  /** The forecast periods over [fromMs, toMs] behind forecastFor (empty when none). Never rejects. */
  forecastPeriods?(fromMs: number, toMs: number): Promise<IntensityReading[]>;
}
