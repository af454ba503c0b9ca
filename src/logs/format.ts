// Text exactly as the Python original writes it: its float repr, its consumption block, its
// time stamps. Scripts and people read these; a changed character breaks them.
import { formatDuration, toFixedHalfEven } from "../units/index.js";

/** Grams CO2eq per km of an average new car (EEA 2024), the original 2.4's factor. */
export const CAR_GRAMS_PER_KM = 106.8;

/** A number as Python's repr(float) prints it (`120.0`, `99.999833`, `1e-07`, `nan`). */
export function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  const magnitude = Math.abs(value);
  // Python writes an exponent below 1e-4 and from 1e16 (JS below 1e-6 and from 1e21), with at
  // least two digits: 5e-05.
  if (magnitude !== 0 && (magnitude < 1e-4 || magnitude >= 1e16)) {
    const [mantissa, exponent] = value.toExponential().split("e") as [string, string];
    return `${mantissa}e${exponent[0] as string}${exponent.slice(1).padStart(2, "0")}`;
  }
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

/** Python's round(): halves to even, so 2.5 s prints as 0:00:02 as in the original. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (Math.abs(diff - 0.5) > 1e-9) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

/** What a consumption block shows. Energy after PUE. */
export interface ConsumptionFigures {
  kind: "Predicted" | "Actual";
  /** Epoch count in the title; undefined writes the CLI's "Actual consumption:". */
  epochs: number | undefined;
  durationS: number;
  energyKwh: number;
  co2eqG: number;
  decimalPrecision: number;
  interpretable: boolean;
}

/** The message of a consumption block (without the "CarbonTracker: " prefix), tabs as the original. */
export function consumptionBlock(figures: ConsumptionFigures): string {
  const title =
    figures.epochs === undefined
      ? `${figures.kind} consumption:`
      : `${figures.kind} consumption for ${figures.epochs} epoch(s):`;
  const p = figures.decimalPrecision;
  const lines = [
    "",
    title,
    `\tTime:\t${formatDuration(roundHalfEven(figures.durationS))}`,
    `\tEnergy:\t${toFixedHalfEven(figures.energyKwh, p)} kWh`,
    `\tCO2eq:\t${toFixedHalfEven(figures.co2eqG, p)} g`,
  ];
  if (figures.interpretable) {
    lines.push(
      "\tThis is equivalent to:",
      `\t${toFixedHalfEven(figures.co2eqG / CAR_GRAMS_PER_KM, p)} km travelled by car`,
    );
  }
  return lines.join("\n");
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** Local time as the original's log lines write it: `2026-11-28 12:51:47`. */
export function logTimestamp(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** The error log's time stamp with milliseconds: `2026-11-28 12:53:26,694`. */
export function errTimestamp(date: Date): string {
  return `${logTimestamp(date)},${pad(date.getMilliseconds(), 3)}`;
}

/** The time part of log file names: `2026-11-28T125147Z` (UTC). */
export function fileTimestamp(date: Date): string {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
}
