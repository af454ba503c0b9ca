// The seam between carbon-intensity services and the core: a place and a time in, gCO2eq/kWh
// out, always with where the figure came from.
import type { GramsPerKwh } from "../units/index.js";

/** Where the tracked machine is, as far as we know, and how we know it. */
export interface Location {
  /** ISO 3166 alpha-2 country code, upper case. */
  country?: string;
  /** Electricity Maps zone (e.g. `DK-DK2`). */
  zone?: string;
  latitude?: number;
  longitude?: number;
  /** GB postcode (outward part is enough). */
  postcode?: string;
  /** Human description for logs ("Copenhagen, Capital Region, DK"). */
  description: string;
  /** How it was found: `override`, `cloud`, `ip`, `timezone-guess`, `unknown`. */
  method: string;
  /** For a guess or an unknown location: what failed ("offline (CARBONTRACKER_OFFLINE=1)"). */
  note?: string;
}

/** One carbon-intensity figure with its provenance. */
export interface IntensityReading {
  gPerKwh: GramsPerKwh;
  /** Source id: `static`, `electricitymaps`, `carbonintensity-uk`, `energidataservice`. */
  source: string;
  /** Place the figure describes, for logs. */
  location: string;
  /** True when the figure is a forecast, not a measurement. */
  forecast: boolean;
  /** Validity window (Unix ms); validTo undefined = until replaced. */
  validFrom: number;
  validTo?: number;
  /** Human sentence for the logs naming figure, year and place (the original's wording where it has one). */
  message: string;
  /**
   * What we know beyond the original's sentence (the figure's source, why no location was found
   * and the fix), said on a line of its own after it, so the original's line stays intact.
   */
  detail?: string;
  /** Year of an annual average, where the figure is one. */
  year?: number;
  /** True when this is the last-resort default (no location, or no data for it). */
  fallback: boolean;
}

/** A source of carbon intensity for a location. */
export interface IntensitySource {
  readonly id: string;
  /** Whether this source can answer for this location (and has what it needs, e.g. a key). */
  supports(location: Location): boolean;
  /** The intensity in force now. Rejects with IntensityFetchError when the service fails. */
  current(location: Location, signal?: AbortSignal): Promise<IntensityReading>;
  /** Forecast over [fromMs, toMs], where the source has one. */
  forecast?(
    location: Location,
    fromMs: number,
    toMs: number,
    signal?: AbortSignal,
  ): Promise<IntensityReading[]>;
}
