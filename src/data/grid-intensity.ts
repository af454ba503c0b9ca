// Annual grid carbon intensities shipped with the package, newest first, each with its source
// and year, so every figure we use can be cited. One source of truth per number (co2.js rule).
import { createRequire } from "node:module";
import type { GramsPerKwh } from "../units/index.js";

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

interface ElectricityMapsYearly {
  [zone: string]: {
    zone?: { zoneName?: string; countryName?: string };
    carbonIntensity?: { value?: number };
  };
}

interface Tables {
  /** Electricity Maps yearly averages (via @tgwf/co2), newest year first. */
  electricityMapsYears: ReadonlyArray<readonly [number, ElectricityMapsYearly]>;
  /** Ember annual averages by ISO alpha-3 country (via @tgwf/co2 averageIntensity); year not stated per country. */
  ember: Record<string, number>;
}

let tables: Tables | undefined;

// The tables (400 kB of JavaScript) are read at the first lookup, from @tgwf/co2's CommonJS
// build so that the lookup stays synchronous: a run that knows no place never parses them.
function loadTables(): Tables {
  if (!tables) {
    const requireData = createRequire(import.meta.url);
    const maps = requireData(
      "@tgwf/co2/data/electricity-maps",
    ) as typeof import("@tgwf/co2/data/electricity-maps");
    const { averageIntensity } = requireData("@tgwf/co2/data") as typeof import("@tgwf/co2/data");
    tables = {
      electricityMapsYears: [
        [2025, maps.yearly2025.data as ElectricityMapsYearly],
        [2024, maps.yearly2024.data as ElectricityMapsYearly],
        [2023, maps.yearly2023.data as ElectricityMapsYearly],
        [2022, maps.yearly2022.data as ElectricityMapsYearly],
        [2021, maps.yearly2021.data as ElectricityMapsYearly],
      ],
      ember: averageIntensity.data,
    };
  }
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
  const { electricityMapsYears, ember: emberTable } = loadTables();
  for (const [year, table] of electricityMapsYears) {
    const entry = table[key] ?? table[place.trim()];
    const value = entry?.carbonIntensity?.value;
    if (typeof value === "number" && Number.isFinite(value)) {
      return {
        gPerKwh: value,
        year,
        place: key,
        placeName: entry?.zone?.zoneName,
        source: `Electricity Maps yearly ${year} (via @tgwf/co2)`,
      };
    }
  }
  const ember = emberTable[key];
  if (typeof ember === "number" && Number.isFinite(ember)) {
    return { gPerKwh: ember, year: undefined, place: key, source: "Ember annual average (via @tgwf/co2)" };
  }
  return undefined;
}
