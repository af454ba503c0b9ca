// National Grid ESO's Carbon Intensity API: free, keyless, regional by postcode, with a 48-hour
// forecast, for Great Britain (not Northern Ireland). Regional first, national if that fails.
import { IntensityFetchError } from "../../errors/index.js";
import { httpGet, parseJson, statusError, type HttpConfig } from "../http/http-get.js";
import type { IntensityReading, IntensitySource, Location } from "../types.js";

/** Source id used in readings and the JSONL. */
const CARBONINTENSITY_UK_ID = "carbonintensity-uk";

/** Default API base (DESIGN.md seam CARBONTRACKER_CARBONINTENSITY_UK_URL). */
export const CARBONINTENSITY_UK_DEFAULT_URL = "https://api.carbonintensity.org.uk";

/** What the GB source needs. */
export interface CarbonIntensityUkConfig {
  http: HttpConfig;
  baseUrl: string;
  /** Clock (Unix ms), for a reading whose period cannot be read. */
  now?: () => number;
}

interface Period {
  from?: unknown;
  to?: unknown;
  intensity?: { forecast?: unknown; actual?: unknown; index?: unknown };
}

interface RegionBlock {
  shortname?: unknown;
  postcode?: unknown;
  data?: unknown;
}

/** The outward code of a GB postcode (`BS7 8AA` → `BS7`, `SW1A1AA` → `SW1A`), upper case. */
export function outwardCode(postcode: string): string {
  const compact = postcode.trim().toUpperCase();
  if (compact.includes(" ")) return compact.split(/\s+/)[0] as string;
  return compact.length > 4 ? compact.slice(0, -3) : compact;
}

/** The API's time format: `YYYY-MM-DDThh:mmZ`, UTC, minute precision. */
function ukTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}Z`;
}

/** Parses the API's `YYYY-MM-DDThh:mmZ` (and any ISO form) as UTC ms. */
function parseUkTime(value: unknown): number {
  return typeof value === "string" ? Date.parse(value) : NaN;
}

/** Whether the location is in Great Britain (the API does not cover Northern Ireland, BT postcodes). */
function inGreatBritain(location: Location): boolean {
  const zone = location.zone?.toUpperCase();
  const isGb = location.country === "GB" || location.country === "UK" || zone === "GB";
  if (!isGb || zone === "GB-NIR") return false;
  return !location.postcode || !outwardCode(location.postcode).startsWith("BT");
}

/** The figure of a period: `actual` when settled (national only), else `forecast`. */
function periodValue(period: Period | undefined): number | undefined {
  const actual = period?.intensity?.actual;
  const forecast = period?.intensity?.forecast;
  if (typeof actual === "number" && Number.isFinite(actual)) return actual;
  if (typeof forecast === "number" && Number.isFinite(forecast)) return forecast;
  return undefined;
}

/** Creates the GB source. */
export function createCarbonIntensityUkSource(config: CarbonIntensityUkConfig): IntensitySource {
  const base = config.baseUrl.replace(/\/+$/, "");
  const now = config.now ?? Date.now;

  const getJson = async (path: string, signal?: AbortSignal): Promise<unknown> => {
    const answer = await httpGet(config.http, {
      url: `${base}${path}`,
      headers: { accept: "application/json" },
      source: CARBONINTENSITY_UK_ID,
      signal,
    });
    if (!answer.ok) throw statusError(CARBONINTENSITY_UK_ID, answer);
    return parseJson(CARBONINTENSITY_UK_ID, answer);
  };

  /** A current figure: valid for its half hour (from/to), or from now when the period is unreadable. */
  const currentReading = (value: number, place: string, period: Period, scope: string): IntensityReading => {
    const from = parseUkTime(period.from);
    const to = parseUkTime(period.to);
    const known = Number.isFinite(from) && Number.isFinite(to) && to > from;
    return {
      gPerKwh: value,
      source: CARBONINTENSITY_UK_ID,
      location: place,
      forecast: false,
      validFrom: known ? from : now(),
      ...(known ? { validTo: to } : {}),
      message: `National Grid ESO ${scope} carbon intensity: ${value} gCO2/kWh at ${place} for ${String(period.from)}–${String(period.to)}.`,
      fallback: false,
    };
  };

  const regional = async (postcode: string, signal?: AbortSignal): Promise<IntensityReading> => {
    const outward = outwardCode(postcode);
    const body = (await getJson(`/regional/postcode/${encodeURIComponent(outward)}`, signal)) as {
      data?: unknown;
    };
    // Current-period answers wrap the region in a one-element array.
    const block = (Array.isArray(body?.data) ? body.data[0] : body?.data) as RegionBlock | undefined;
    const period = (Array.isArray(block?.data) ? block.data[0] : undefined) as Period | undefined;
    const value = periodValue(period);
    if (value === undefined || !period) {
      throw new IntensityFetchError(
        CARBONINTENSITY_UK_ID,
        `carbonintensity-uk: no regional figure for ${outward}.`,
      );
    }
    const region = typeof block?.shortname === "string" ? block.shortname : "GB";
    return currentReading(value, `${region} (${outward})`, period, "regional");
  };

  const national = async (signal?: AbortSignal): Promise<IntensityReading> => {
    const body = (await getJson("/intensity", signal)) as { data?: unknown };
    const period = (Array.isArray(body?.data) ? body.data[0] : undefined) as Period | undefined;
    const value = periodValue(period);
    if (value === undefined || !period) {
      throw new IntensityFetchError(CARBONINTENSITY_UK_ID, "carbonintensity-uk: no national figure.");
    }
    return currentReading(value, "Great Britain", period, "national");
  };

  const periodsFrom = (list: unknown, place: string, fromMs: number, toMs: number): IntensityReading[] => {
    const periods: IntensityReading[] = [];
    for (const period of Array.isArray(list) ? (list as Period[]) : []) {
      const start = parseUkTime(period?.from);
      const end = parseUkTime(period?.to);
      const value = period?.intensity?.forecast;
      if (
        typeof value !== "number" ||
        !Number.isFinite(value) ||
        !Number.isFinite(start) ||
        !Number.isFinite(end)
      ) {
        continue;
      }
      if (end <= fromMs || start >= toMs) continue;
      periods.push({
        gPerKwh: value,
        source: CARBONINTENSITY_UK_ID,
        location: place,
        forecast: true,
        validFrom: start,
        validTo: end,
        message: `National Grid ESO forecast: ${value} gCO2/kWh at ${place} for ${String(period.from)}–${String(period.to)}.`,
        fallback: false,
      });
    }
    return periods;
  };

  return {
    id: CARBONINTENSITY_UK_ID,
    supports: inGreatBritain,

    async current(location, signal) {
      if (location.postcode) {
        try {
          return await regional(location.postcode, signal);
        } catch (error) {
          if (signal?.aborted) throw error;
        }
      }
      return national(signal);
    },

    async forecast(location, fromMs, toMs, signal) {
      // The API serves 48 h ahead from a half-hour boundary.
      const from = ukTime(fromMs);
      if (location.postcode) {
        const outward = outwardCode(location.postcode);
        try {
          const body = (await getJson(
            `/regional/intensity/${from}/fw48h/postcode/${encodeURIComponent(outward)}`,
            signal,
          )) as {
            data?: unknown;
          };
          // Range answers give the region as an object (current ones as an array).
          const block = (Array.isArray(body?.data) ? body.data[0] : body?.data) as RegionBlock | undefined;
          const region = typeof block?.shortname === "string" ? block.shortname : "GB";
          const periods = periodsFrom(block?.data, `${region} (${outward})`, fromMs, toMs);
          if (periods.length > 0) return periods;
        } catch (error) {
          if (signal?.aborted) throw error;
        }
      }
      const body = (await getJson(`/intensity/${from}/fw48h`, signal)) as { data?: unknown };
      return periodsFrom(body?.data, "Great Britain", fromMs, toMs);
    },
  };
}
