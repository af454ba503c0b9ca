// Numbers as JSON, CSV and reports show them: rounded once, at output, to the digits the
// measurement supports, so binary float noise (`444.99999999999994`) never reaches a reader;
// and in the unit (J, Wh, kWh; mg, g, kg) that reads best. Sums are taken before rounding.

/**
 * Significant digits kept for energy and CO2eq: every digit the original's logs print (12
 * decimals of values below 1), far past any counter's accuracy, and short of float noise (16-17).
 */
const SIGNIFICANT_DIGITS = 12;
/** Decimals kept for carbon intensity (gCO2eq/kWh), as the original prints it. */
export const INTENSITY_DECIMALS = 2;
/** Decimals kept for durations in seconds (milliseconds: the resolution of our time stamps). */
export const DURATION_DECIMALS = 3;

/** `value` rounded to `digits` significant digits; null, NaN and infinities pass through. */
export function significant<T extends number | null>(value: T, digits = SIGNIFICANT_DIGITS): T {
  if (value === null || !Number.isFinite(value) || value === 0) return value;
  return Number(value.toPrecision(digits)) as T;
}

/** `value` rounded to `places` decimals; null, NaN and infinities pass through. */
export function decimals<T extends number | null>(value: T, places: number): T {
  if (value === null || !Number.isFinite(value)) return value;
  return Number(value.toFixed(places)) as T;
}

/** A unit a figure is shown in, and how many of it make the base unit (kWh or g). */
export interface DisplayUnit {
  label: string;
  perBase: number;
}

const ENERGY_UNITS: readonly (DisplayUnit & { from: number })[] = [
  { label: "kWh", perBase: 1, from: 1 },
  { label: "Wh", perBase: 1000, from: 0.001 },
  { label: "J", perBase: 3_600_000, from: 0 },
];

const MASS_UNITS: readonly (DisplayUnit & { from: number })[] = [
  { label: "kg", perBase: 0.001, from: 1000 },
  { label: "g", perBase: 1, from: 1 },
  { label: "mg", perBase: 1000, from: 0 },
];

function unitFor(units: readonly (DisplayUnit & { from: number })[], largest: number): DisplayUnit {
  const size = Number.isFinite(largest) ? Math.abs(largest) : 0;
  const unit = units.find((u) => size >= u.from) ?? (units.at(-1) as DisplayUnit);
  return { label: unit.label, perBase: unit.perBase };
}

/** The unit (J below 1 Wh, Wh below 1 kWh, else kWh) for energies up to `largestKwh`. */
export function energyUnit(largestKwh: number): DisplayUnit {
  return unitFor(ENERGY_UNITS, largestKwh);
}

/** The unit (mg below 1 g, g below 1 kg, else kg) for CO2eq masses up to `largestG`. */
export function massUnit(largestG: number): DisplayUnit {
  return unitFor(MASS_UNITS, largestG);
}

/** Four significant digits, never in exponent notation above 1e-6 (`23.81`, `0.004951`, `7200`). */
export function readable(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  if (value === 0) return "0";
  if (Math.abs(value) >= 10_000) return Math.round(value).toString();
  return value.toPrecision(4);
}

/** A figure in a unit, with the unit: `23.81 J`. */
export function withUnit(value: number, unit: DisplayUnit): string {
  return `${readable(value * unit.perBase)} ${unit.label}`;
}
