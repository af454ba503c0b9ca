// The embedded default: annual averages per zone or country, then a cited world figure. Never
// touches the network, so it is what CARBONTRACKER_OFFLINE=1 and any failure fall back to.
import { lookupAnnualIntensity, WORLD_AVERAGE, type AnnualIntensity } from "../../data/grid-intensity.js";
import type { IntensityReading, Location } from "../types.js";

/** Figures older than this many years get a warning. */
const STALE_AFTER_YEARS = 2;

/** Picks the annual figure for a location: zone first, then country, then the world. */
function annualIntensityFor(location: Location): AnnualIntensity {
  for (const place of [location.zone, location.country]) {
    if (place) {
      const found = lookupAnnualIntensity(place);
      if (found) return found;
    }
  }
  return WORLD_AVERAGE;
}

/** Builds the reading (and the original-style message) for an annual figure. */
export function staticReading(location: Location, nowMs: number): IntensityReading {
  const annual = annualIntensityFor(location);
  const value = annual.gPerKwh.toFixed(2);
  const isWorld = annual === WORLD_AVERAGE;
  const yearText = annual.year !== undefined ? ` in ${annual.year}` : "";
  let message: string;
  let detail: string | undefined;
  if (isWorld && location.method === "unknown") {
    // The original 2.4.3's sentence to the character (intensity.py); ours after it, on its own line.
    message = `No carbon intensity provider specified and no location detected. Defaulting to global average carbon intensity for ${annual.year}: ${value} gCO2eq/kWh.`;
    detail = `The default ${value} gCO2eq/kWh is the ${annual.source}.`;
    if (location.note) detail += ` Location: ${location.note}; set --country or CARBONTRACKER_COUNTRY.`;
  } else if (isWorld) {
    message = `No annual carbon intensity is shipped for ${location.description}. Defaulting to global average carbon intensity for ${annual.year}: ${value} gCO2eq/kWh (${annual.source}).`;
  } else {
    message = `Defaulted to average carbon intensity for ${annual.place}${yearText} of ${value} gCO2eq/kWh (${annual.source}).`;
  }
  if (location.method === "timezone-guess") {
    message += location.note
      ? ` Location ${location.description}: a guess (${location.note}); set --country or CARBONTRACKER_COUNTRY to be sure.`
      : ` Location ${location.description}: a guess.`;
  }
  return {
    gPerKwh: annual.gPerKwh,
    source: "static",
    location: isWorld ? "world" : annual.place,
    forecast: false,
    validFrom: nowMs,
    message,
    ...(detail ? { detail } : {}),
    year: annual.year,
    fallback: true,
  };
}

/** Whether an annual figure is older than STALE_AFTER_YEARS at `nowMs`; returns the warning text or undefined. */
export function staleWarning(reading: IntensityReading, nowMs: number): string | undefined {
  if (reading.year === undefined) return undefined;
  const age = new Date(nowMs).getUTCFullYear() - reading.year;
  if (age <= STALE_AFTER_YEARS) return undefined;
  return `The carbon intensity used (${reading.gPerKwh.toFixed(2)} gCO2eq/kWh for ${reading.location}) is an average for ${reading.year}, ${age} years old: the grid has likely changed since.`;
}
