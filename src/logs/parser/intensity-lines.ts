// The carbon intensity behind a run, from whichever of the original's sentences its logs hold:
// the training average, the fetched values, a default it fell back to (2.3 says so in the
// standard log, 2.4 in the err log) or a live location. Units may read gCO2/kWh or gCO2eq/kWh.
import type { IntensityInfo } from "./types.js";
import { NUMBER, parseNumber } from "./text-lines.js";

const UNIT = String.raw`gCO2(?:eq)?\/kWh`;
// Captures run to the end of the line and are trimmed in code: no pattern backtracks over blanks.
const AVERAGE = new RegExp(
  `Average carbon intensity during training was (${NUMBER}) ${UNIT}(?:\\s+at detected location:(.*)|\\.?\\s*)$`,
  "i",
);
const FETCHED = new RegExp(
  `Carbon intensities \\(${UNIT}\\) fetched every \\S+ s at detected location:?([^[]*): \\[([^\\]]*)\\]`,
  "i",
);
const DEFAULT_GLOBAL = new RegExp(
  `(?:Defaulting to|Using) global average carbon intensity for (\\d{4}): (${NUMBER})`,
  "i",
);
const DEFAULT_WORLD = new RegExp(
  `Defaulted to average carbon intensity for (\\S+) in (\\d{4}) of (${NUMBER}) ${UNIT}`,
  "i",
);
const DEFAULT_COUNTRY = new RegExp(
  `(?:Using|fall back to the) average carbon intensity for ([^:]+): (${NUMBER}) ${UNIT}`,
  "i",
);
const LIVE = /Using realtime localized carbon intensity based on location:(.*)$/i;
const FORECAST = new RegExp(
  `Carbon intensity for the next .* is predicted to be (${NUMBER}) ${UNIT}(?: at detected location:(.*)|\\.?\\s*)$`,
  "i",
);

const UNKNOWN_PLACES = new Set(["unknown", "undetected", ""]);

function place(text: string | undefined): string | null {
  const trimmed = (text ?? "").trim().replace(/\.$/, "").trim();
  return UNKNOWN_PLACES.has(trimmed.toLowerCase()) ? null : trimmed;
}

/** What the lines say about carbon intensity (later lines win for the average). */
export function scanIntensity(lines: readonly string[]): IntensityInfo {
  let average: number | null = null;
  let fetched: number[] | null = null;
  let defaulted: { value: number; source: string; year: number | null } | null = null;
  let live = false;
  let forecast: number | null = null;
  let location: string | null = null;
  for (const line of lines) {
    if (!line.includes("arbon intensit")) continue;
    let m: RegExpExecArray | null;
    if ((m = AVERAGE.exec(line))) {
      average = parseNumber(m[1] as string);
      location = place(m[2]) ?? location;
    } else if ((m = FETCHED.exec(line))) {
      location = place(m[1]) ?? location;
      fetched = (m[2] as string)
        .split(/[\s,]+/)
        .map((v) => parseNumber(v))
        .filter((v): v is number => v !== null && Number.isFinite(v));
    } else if ((m = DEFAULT_GLOBAL.exec(line))) {
      defaulted = { value: Number(m[2]), source: "default: global average", year: Number(m[1]) };
    } else if ((m = DEFAULT_WORLD.exec(line))) {
      defaulted = { value: Number(m[3]), source: `default: ${m[1]} average`, year: Number(m[2]) };
    } else if ((m = DEFAULT_COUNTRY.exec(line))) {
      defaulted = {
        value: Number(m[2]),
        source: `default: average for ${(m[1] as string).trim()}`,
        year: null,
      };
    } else if ((m = LIVE.exec(line))) {
      live = true;
      location = place(m[1]) ?? location;
    } else if ((m = FORECAST.exec(line))) {
      forecast = parseNumber(m[1] as string);
      location = place(m[2]) ?? location;
    }
  }
  const mean = fetched && fetched.length > 0 ? fetched.reduce((a, b) => a + b, 0) / fetched.length : null;
  const gPerKwh = average ?? mean ?? defaulted?.value ?? forecast;
  let source: string | null = null;
  if (defaulted) source = defaulted.source;
  else if (live || (location && (average !== null || mean !== null))) source = "live";
  else if (forecast !== null) source = "forecast";
  return {
    gPerKwh: gPerKwh !== null && Number.isFinite(gPerKwh) ? gPerKwh : null,
    source,
    location,
    year: defaulted?.year ?? null,
  };
}
