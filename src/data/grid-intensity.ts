// Annual grid carbon intensities shipped with the package, newest first, each with its source
// and year, so every figure we use can be cited. One source of truth per number (co2.js rule).
import { readFileSync } from "node:fs";
import type { GramsPerKwh } from "../units/index.js";
import { packageFile } from "./package-file.js";

/** An annual average intensity with where it comes from. */
export interface AnnualIntensity {
  gPerKwh: GramsPerKwh;
  /** Year the average describes. */
  year: number | undefined;
  /** The place it describes, as given (zone or country code) or "world". */
  place: string;
  /** Human name of the place where known. */
  placeName?: string;
  /** Citation of the dataset. */
  source: string;
}

/** data/grid-intensity/annual.json (scripts/extract-grid-intensity.mjs). */
interface Tables {
  /** Electricity Maps yearly averages (via @tgwf/co2): zone -> [year, gCO2eq/kWh, zone name], the newest year. */
  electricityMaps: Record<string, [number, number, string?]>;
  /** Ember annual averages by ISO alpha-3 country (via @tgwf/co2 averageIntensity); year not stated per country. */
  ember: Record<string, number>;
}

let tables: Tables | undefined;

// The extract of @tgwf/co2's tables (19 kB of JSON) is read at the first lookup, so that the
// lookup stays synchronous: a run that knows no place never reads it. co2.js's own modules (400
// kB of JavaScript) took 30-40 ms to load there.
function loadTables(): Tables {
  tables ??= JSON.parse(readFileSync(packageFile("data/grid-intensity/annual.json"), "utf8")) as Tables;
  return tables;
}

/**
 * The world average used when no place is known: 445 gCO2eq/kWh for 2024 (IEA, Electricity
 * 2025), the figure the Python original 2.4.x uses, so results stay comparable.
 */
export const WORLD_AVERAGE: AnnualIntensity = {
  gPerKwh: 445,
  year: 2024,
  place: "world",
  source: "IEA 2024 world average, as carbontracker 2.4",
};

/**
 * The newest annual average for an Electricity Maps zone (e.g. `DK-DK2`, `US-CAL-CISO`) or an
 * ISO country code (alpha-2 `DK` or alpha-3 `DNK`); undefined when the dataset has none.
 */
export function lookupAnnualIntensity(place: string): AnnualIntensity | undefined {
  const key = place.trim().toUpperCase();
  const { electricityMaps, ember: emberTable } = loadTables();
  const entry = electricityMaps[key] ?? electricityMaps[place.trim()];
  if (entry) {
    const [year, value, placeName] = entry;
    return {
      gPerKwh: value,
      year,
      place: key,
      placeName,
      source: `Electricity Maps yearly ${year} (via @tgwf/co2)`,
    };
  }
  const ember = emberTable[key];
  if (typeof ember === "number" && Number.isFinite(ember)) {
    return { gPerKwh: ember, year: undefined, place: key, source: "Ember annual average (via @tgwf/co2)" };
  }
  return undefined;
}
