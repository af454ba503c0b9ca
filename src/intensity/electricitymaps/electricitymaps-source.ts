// Electricity Maps v3: the one source that covers most of the world, live, with a key. Asked by
// coordinates first, then by zone (carbontracker's order); the key travels only in a header.
import { IntensityFetchError } from "../../errors/index.js";
import {
  httpGet,
  parseJson,
  statusError,
  type HttpAnswer,
  type HttpConfig,
  type MessageSink,
} from "../http/http-get.js";
import type { IntensityReading, IntensitySource, Location } from "../types.js";

/** Source id used in readings and the JSONL. */
const ELECTRICITYMAPS_ID = "electricitymaps";

/** Default API base (DESIGN.md seam CARBONTRACKER_ELECTRICITYMAPS_URL). */
export const ELECTRICITYMAPS_DEFAULT_URL = "https://api.electricitymaps.com/v3";

/** What the Electricity Maps source needs. */
export interface ElectricityMapsConfig {
  http: HttpConfig;
  /** API base, e.g. `https://api.electricitymaps.com/v3`. */
  baseUrl: string;
  /** The `auth-token`; without one the source declines every location and makes no request. */
  apiKey?: string;
  onMessage: MessageSink;
  /** Clock (Unix ms), for a reading whose period cannot be read. */
  now?: () => number;
}

/** The Electricity Maps source, with `history` (last 24 h) beside the IntensitySource methods. */
export interface ElectricityMapsSource extends IntensitySource {
  history(location: Location, signal?: AbortSignal): Promise<IntensityReading[]>;
}

interface Point {
  zone?: unknown;
  carbonIntensity?: unknown;
  datetime?: unknown;
  isEstimated?: unknown;
}

const HOUR_MS = 3_600_000;

/** The query selectors to try for a location: coordinates, then zone (or country). */
function selectors(location: Location): string[] {
  const found: string[] = [];
  if (Number.isFinite(location.latitude) && Number.isFinite(location.longitude)) {
    found.push(`lat=${location.latitude}&lon=${location.longitude}`);
  }
  const zone = location.zone ?? location.country;
  if (zone) found.push(`zone=${encodeURIComponent(zone)}`);
  return found;
}

/** The place label for readings: the detected description, with the zone when it adds something. */
function placeLabel(location: Location, zone: unknown): string {
  if (typeof zone !== "string" || zone === "" || location.description.includes(zone))
    return location.description;
  return location.method === "unknown" ? zone : `${location.description} (zone ${zone})`;
}

/** Creates the Electricity Maps source. */
export function createElectricityMapsSource(config: ElectricityMapsConfig): ElectricityMapsSource {
  const base = config.baseUrl.replace(/\/+$/, "");
  const now = config.now ?? Date.now;
  let keyRejected = false;
  let forecastRefused = false;

  const get = (path: string, query: string, signal?: AbortSignal): Promise<HttpAnswer> =>
    httpGet(config.http, {
      url: `${base}/carbon-intensity/${path}?${query}`,
      headers: { "auth-token": config.apiKey ?? "", accept: "application/json" },
      source: ELECTRICITYMAPS_ID,
      signal,
    });

  /** The error for a non-2xx answer, the key masked where the service quoted it back. */
  const failure = (answer: HttpAnswer): IntensityFetchError =>
    statusError(ELECTRICITYMAPS_ID, answer, [config.apiKey ?? ""]);

  const rejectKey = (answer: HttpAnswer): never => {
    if (!keyRejected) {
      keyRejected = true;
      config.onMessage(
        "warning",
        `Electricity Maps refused the API key (${failure(answer)
          .message.replace(/^electricitymaps: /, "")
          .replace(
            /\.$/,
            "",
          )}); live intensity from Electricity Maps is off for this run. Check ELECTRICITYMAPS_API_KEY or --api_keys.`,
      );
    }
    throw new IntensityFetchError(ELECTRICITYMAPS_ID, "electricitymaps: API key refused.");
  };

  const reading = (location: Location, point: Point, how: string): IntensityReading => {
    const value = point.carbonIntensity as number;
    const when = typeof point.datetime === "string" ? ` for the hour from ${point.datetime}` : "";
    const estimated = point.isEstimated === true ? ", estimated" : "";
    const place = placeLabel(location, point.zone);
    // `datetime` is the start of the hour the figure is for.
    const start = typeof point.datetime === "string" ? Date.parse(point.datetime) : NaN;
    return {
      gPerKwh: value,
      source: ELECTRICITYMAPS_ID,
      location: place,
      forecast: false,
      validFrom: Number.isFinite(start) ? start : now(),
      ...(Number.isFinite(start) ? { validTo: start + HOUR_MS } : {}),
      message: `Electricity Maps ${how}: ${value} gCO2eq/kWh at ${place}${when}${estimated}.`,
      fallback: false,
    };
  };

  const history = async (location: Location, signal?: AbortSignal): Promise<IntensityReading[]> => {
    const query = selectors(location)[0];
    if (!query) throw new IntensityFetchError(ELECTRICITYMAPS_ID, "electricitymaps: no coordinates or zone.");
    const answer = await get("history", query, signal);
    if (answer.status === 401 || answer.status === 403) rejectKey(answer);
    if (!answer.ok) throw failure(answer);
    const body = parseJson(ELECTRICITYMAPS_ID, answer) as { history?: unknown };
    if (!Array.isArray(body?.history))
      throw new IntensityFetchError(ELECTRICITYMAPS_ID, "electricitymaps: history missing.");
    const points: IntensityReading[] = [];
    for (const point of body.history as Point[]) {
      const start = typeof point?.datetime === "string" ? Date.parse(point.datetime) : NaN;
      if (typeof point?.carbonIntensity !== "number" || !Number.isFinite(start)) continue;
      points.push({ ...reading(location, point, "history"), validFrom: start, validTo: start + HOUR_MS });
    }
    return points;
  };

  return {
    id: ELECTRICITYMAPS_ID,
    history,
    supports: (location) => Boolean(config.apiKey) && !keyRejected && selectors(location).length > 0,

    async current(location, signal) {
      if (!config.apiKey || keyRejected) {
        throw new IntensityFetchError(ELECTRICITYMAPS_ID, "electricitymaps: no usable API key.");
      }
      let lastError: unknown;
      for (const query of selectors(location)) {
        try {
          const answer = await get("latest", query, signal);
          if (answer.status === 401 || answer.status === 403) rejectKey(answer);
          if (!answer.ok) throw failure(answer);
          const point = parseJson(ELECTRICITYMAPS_ID, answer) as Point;
          if (typeof point?.carbonIntensity === "number" && Number.isFinite(point.carbonIntensity)) {
            return reading(location, point, "latest");
          }
          // A latest point without a figure: the newest figure of the last 24 h stands in.
          const newest = (await history({ ...location }, signal)).at(-1);
          if (newest) return newest;
          throw new IntensityFetchError(
            ELECTRICITYMAPS_ID,
            "electricitymaps: no figure in latest or history.",
          );
        } catch (error) {
          if (keyRejected || signal?.aborted) throw error;
          lastError = error;
        }
      }
      throw (
        lastError ?? new IntensityFetchError(ELECTRICITYMAPS_ID, "electricitymaps: no coordinates or zone.")
      );
    },

    async forecast(location, fromMs, toMs, signal) {
      if (forecastRefused) return [];
      const query = selectors(location)[0];
      if (!query) return [];
      const answer = await get("forecast", query, signal);
      if (answer.status === 401 || answer.status === 403) {
        // Forecasts are a paid feature: the key may be fine for `latest`.
        forecastRefused = true;
        config.onMessage(
          "info",
          `Electricity Maps gives no forecast for this key (HTTP ${answer.status}); predictions use other sources or the measured average.`,
        );
        return [];
      }
      if (!answer.ok) throw failure(answer);
      const body = parseJson(ELECTRICITYMAPS_ID, answer) as { zone?: unknown; forecast?: unknown };
      if (!Array.isArray(body?.forecast))
        throw new IntensityFetchError(ELECTRICITYMAPS_ID, "electricitymaps: forecast missing.");
      const place = placeLabel(location, body.zone);
      const periods: IntensityReading[] = [];
      for (const point of body.forecast as Point[]) {
        const start = typeof point?.datetime === "string" ? Date.parse(point.datetime) : NaN;
        const value = point?.carbonIntensity;
        if (typeof value !== "number" || !Number.isFinite(value) || !Number.isFinite(start)) continue;
        if (start + HOUR_MS <= fromMs || start >= toMs) continue;
        periods.push({
          gPerKwh: value,
          source: ELECTRICITYMAPS_ID,
          location: place,
          forecast: true,
          validFrom: start,
          validTo: start + HOUR_MS,
          message: `Electricity Maps forecast: ${value} gCO2eq/kWh at ${place} for the hour from ${point.datetime as string}.`,
          fallback: false,
        });
      }
      return periods;
    },
  };
}
