// What the tracker asks of the intensity side: a figure at once (never waiting on the network,
// so the tracked job starts immediately), then newer readings in the background as sources
// answer. Offline (CARBONTRACKER_OFFLINE=1) nothing touches the network.
import type { IntensityReading, Location } from "./types.js";
import { staticReading } from "./static/static-source.js";

/** Options the intensity side needs. */
export interface IntensityProviderOptions {
  country?: string;
  zone?: string;
  env: Record<string, string | undefined>;
  apiKeys: Record<string, string>;
}

/** Gives the run its carbon intensities. */
export interface IntensityProvider {
  /** Where we think we are. */
  readonly location: Location;
  /** A figure available at once, from embedded data. */
  initial(nowMs: number): IntensityReading;
  /** Starts background updates; each new reading goes to `onReading`. */
  start(onReading: (reading: IntensityReading) => void): void;
  /** Stops background work. */
  stop(): void;
}

/** The location from explicit overrides, or "unknown" (detection belongs to the live sources). */
export function overrideLocation(options: IntensityProviderOptions): Location {
  const zone = options.zone ?? options.env.CARBONTRACKER_ZONE;
  const country = (options.country ?? options.env.CARBONTRACKER_COUNTRY)?.toUpperCase();
  if (zone || country) {
    return { zone, country, description: zone ?? country ?? "unknown", method: "override" };
  }
  return { description: "Unknown", method: "unknown" };
}

/** The embedded-data provider: one annual figure for the whole run. */
export function createIntensityProvider(options: IntensityProviderOptions): IntensityProvider {
  const location = overrideLocation(options);
  return {
    location,
    initial: (nowMs) => staticReading(location, nowMs),
    start: () => {},
    stop: () => {},
  };
}
