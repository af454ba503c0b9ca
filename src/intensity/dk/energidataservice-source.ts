// Energinet's Energi Data Service: Denmark's realised CO2 per kWh (CO2Emis) and its prognosis
// (CO2EmisProg), 5-minute resolution, keyless, per price area DK1 (west) and DK2 (east).
import { IntensityFetchError } from "../../errors/index.js";
import { httpGet, parseJson, statusError, type HttpConfig } from "../http/http-get.js";
import type { IntensitySource, Location } from "../types.js";

/** Source id used in readings and the JSONL. */
const ENERGIDATASERVICE_ID = "energidataservice";

/** Default API base (DESIGN.md seam CARBONTRACKER_ENERGIDATASERVICE_URL). */
export const ENERGIDATASERVICE_DEFAULT_URL = "https://api.energidataservice.dk";

/** What the Danish source needs. */
export interface EnergiDataServiceConfig {
  http: HttpConfig;
  baseUrl: string;
  /** Clock (Unix ms), for a reading whose period cannot be read. */
  now?: () => number;
}

interface EdsRecord {
  Minutes5UTC?: unknown;
  PriceArea?: unknown;
  CO2Emission?: unknown;
}

const FIVE_MINUTES_MS = 300_000;

/** Longitude of the Great Belt, roughly: DK1 (Jutland, Funen) lies west of it, DK2 east. */
const GREAT_BELT_LONGITUDE = 11.0;

/** The price areas that describe a location: from the zone, else from the longitude, else both. */
export function priceAreas(location: Location): string[] {
  const zone = location.zone?.toUpperCase();
  if (zone === "DK-DK1") return ["DK1"];
  if (zone === "DK-DK2" || zone === "DK-BHM") return ["DK2"];
  if (Number.isFinite(location.longitude)) {
    return [(location.longitude as number) < GREAT_BELT_LONGITUDE ? "DK1" : "DK2"];
  }
  return ["DK1", "DK2"];
}

/** EDS times carry no zone; `Minutes5UTC` is UTC. */
function parseUtc(value: unknown): number {
  return typeof value === "string"
    ? Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`)
    : NaN;
}

/** EDS's `yyyy-MM-ddTHH:mm` (read as UTC with timezone=UTC). */
function edsTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

/** Creates the Danish source. */
export function createEnergiDataServiceSource(config: EnergiDataServiceConfig): IntensitySource {
  const base = config.baseUrl.replace(/\/+$/, "");
  const now = config.now ?? Date.now;

  const records = async (dataset: string, query: string, signal?: AbortSignal): Promise<EdsRecord[]> => {
    const answer = await httpGet(config.http, {
      url: `${base}/dataset/${dataset}?${query}`,
      headers: { accept: "application/json" },
      source: ENERGIDATASERVICE_ID,
      signal,
    });
    if (!answer.ok) throw statusError(ENERGIDATASERVICE_ID, answer);
    const body = parseJson(ENERGIDATASERVICE_ID, answer) as { records?: unknown };
    if (!Array.isArray(body?.records)) {
      throw new IntensityFetchError(
        ENERGIDATASERVICE_ID,
        `energidataservice: ${dataset} answer has no records.`,
      );
    }
    return body.records as EdsRecord[];
  };

  const filter = (areas: string[]): string =>
    `filter=${encodeURIComponent(JSON.stringify({ PriceArea: areas }))}`;
  const place = (areas: string[]): string =>
    areas.length === 1 ? `Denmark ${areas[0]}` : "Denmark (DK1, DK2)";

  return {
    id: ENERGIDATASERVICE_ID,
    supports: (location) =>
      location.country === "DK" || (location.zone?.toUpperCase().startsWith("DK") ?? false),

    async current(location, signal) {
      const areas = priceAreas(location);
      const rows = await records(
        "CO2Emis",
        `${filter(areas)}&sort=${encodeURIComponent("Minutes5UTC desc")}&limit=${areas.length * 2}`,
        signal,
      );
      const newest = new Map<string, EdsRecord>();
      for (const row of rows) {
        const area = String(row?.PriceArea);
        if (!areas.includes(area) || typeof row.CO2Emission !== "number") continue;
        // Newest by its time, not by its place in the list (the order asked for is not guaranteed).
        const held = newest.get(area);
        if (!held || parseUtc(row.Minutes5UTC) > parseUtc(held.Minutes5UTC)) newest.set(area, row);
      }
      if (newest.size === 0)
        throw new IntensityFetchError(ENERGIDATASERVICE_ID, "energidataservice: no CO2Emis figure.");
      const values = [...newest.values()].map((r) => r.CO2Emission as number);
      const value = values.reduce((a, b) => a + b, 0) / values.length;
      const when = [...newest.values()][0]?.Minutes5UTC;
      // The 5 minutes the figure is for (the areas' newest slots; the earliest start when they differ).
      const starts = [...newest.values()].map((r) => parseUtc(r.Minutes5UTC)).filter(Number.isFinite);
      const from = starts.length > 0 ? Math.min(...starts) : NaN;
      // Named after the areas that gave a figure, not the ones asked.
      const where = place(areas.filter((area) => newest.has(area)));
      return {
        gPerKwh: value,
        source: ENERGIDATASERVICE_ID,
        location: where,
        forecast: false,
        validFrom: Number.isFinite(from) ? from : now(),
        ...(Number.isFinite(from) ? { validTo: Math.max(...starts) + FIVE_MINUTES_MS } : {}),
        message: `Energi Data Service: ${value} gCO2/kWh in ${where} for the 5 minutes from ${String(when)} UTC.`,
        fallback: false,
      };
    },

    async forecast(location, fromMs, toMs, signal) {
      const areas = priceAreas(location);
      const start = Math.floor(fromMs / FIVE_MINUTES_MS) * FIVE_MINUTES_MS;
      const end = Math.ceil(toMs / FIVE_MINUTES_MS) * FIVE_MINUTES_MS;
      const rows = await records(
        "CO2EmisProg",
        `start=${edsTime(start)}&end=${edsTime(end)}&timezone=UTC&${filter(areas)}&sort=${encodeURIComponent("Minutes5UTC asc")}&limit=0`,
        signal,
      );
      // Average the areas per 5-minute slot, so two areas do not count twice.
      const slots = new Map<number, number[]>();
      for (const row of rows) {
        const t = parseUtc(row?.Minutes5UTC);
        if (
          !areas.includes(String(row?.PriceArea)) ||
          typeof row.CO2Emission !== "number" ||
          !Number.isFinite(t)
        )
          continue;
        slots.set(t, [...(slots.get(t) ?? []), row.CO2Emission]);
      }
      return [...slots.entries()]
        .sort(([a], [b]) => a - b)
        .map(([t, values]) => {
          const value = values.reduce((a, b) => a + b, 0) / values.length;
          return {
            gPerKwh: value,
            source: ENERGIDATASERVICE_ID,
            location: place(areas),
            forecast: true,
            validFrom: t,
            validTo: t + FIVE_MINUTES_MS,
            message: `Energi Data Service prognosis: ${value} gCO2/kWh in ${place(areas)} for the 5 minutes from ${new Date(t).toISOString()}.`,
            fallback: false,
          };
        });
    },
  };
}
