// Units live in the types: a value typed in one unit cannot be passed where another is
// expected (Joules where KilowattHours are wanted is a compile error), and conversions happen
// once, at the edges. The brands are soft: a plain number (a hardware reading, a JSON field, the
// result of arithmetic) is accepted as any unit, so the check is on what is declared, not on
// every literal.

/** A number in `U`. The brand is optional, so plain numbers are accepted; two units never mix. */
type Unit<U extends string> = number & { readonly __unit?: U };

/** Energy in joules. */
export type Joules = Unit<"J">;
/** Energy in watt-hours. */
export type WattHours = Unit<"Wh">;
/** Energy in kilowatt-hours (edge unit for people and the original's logs). */
export type KilowattHours = Unit<"kWh">;
/** Power in watts. */
export type Watts = Unit<"W">;
/** Duration in seconds. */
export type Seconds = Unit<"s">;
/** Duration in milliseconds; also Unix epoch times (`Date.now()`). */
export type Milliseconds = Unit<"ms">;
/** Mass of CO2-equivalent in grams. */
export type GramsCo2e = Unit<"gCO2eq">;
/** Carbon intensity in grams CO2eq per kilowatt-hour. */
export type GramsPerKwh = Unit<"gCO2eq/kWh">;

const JOULES_PER_KWH = 3_600_000;

/** Joules to kilowatt-hours. */
export function joulesToKwh(energy: Joules): KilowattHours {
  return energy / JOULES_PER_KWH;
}

/** Kilowatt-hours to joules. */
export function kwhToJoules(energy: KilowattHours): Joules {
  return energy * JOULES_PER_KWH;
}

/** Microjoules (RAPL `energy_uj`, NVML millijoules are converted by their reader) to joules. */
export function microjoulesToJoules(energyUj: number): Joules {
  return energyUj / 1_000_000;
}

/**
 * The facility's energy: device energy (J, before PUE) × PUE (the data centre's overhead), in
 * kWh, as the original reports energy.
 */
export function facilityKwh(energy: Joules, pue: number): KilowattHours {
  return joulesToKwh(energy) * pue;
}

/**
 * The one emissions formula: device energy (J, before PUE) × PUE × carbon intensity (g/kWh) =
 * grams CO2eq. Every CO2eq figure of the product comes from here.
 */
export function co2eqGrams(energy: Joules, pue: number, intensity: GramsPerKwh): GramsCo2e {
  return facilityKwh(energy, pue) * intensity;
}

/**
 * A sample's power (W): the device's own reading where it has one (RAPL's over the last
 * interval, NVML's sampled power: NVML's energy moves only when its counter is read, every
 * 10-60 s between epochs), else its energy's difference since the previous sample. Null with
 * neither.
 */
export function samplePowerW(
  reading: Watts | null | undefined,
  energyDelta: Joules | undefined,
  seconds: Seconds,
): Watts | null {
  if (reading !== null && reading !== undefined) return reading;
  return energyDelta !== undefined && seconds > 0 ? energyDelta / seconds : null;
}

/**
 * A number to `digits` decimals (0-100) as Python's format (`f"{x:.{digits}f}"`) writes it: the
 * float's exact value rounded, a half to even. (Math.round(x * 100) takes 18.735, stored as
 * 18.7349..., up; toFixed rounds the exact value but takes halves such as 2.125 up.) Up to 60
 * digits past the last one shown are looked at, which holds every half a double can be there.
 */
export function toFixedHalfEven(value: number, digits: number): string {
  const up = value.toFixed(digits);
  const extra = Math.min(60, 100 - digits);
  if (extra <= 0 || !Number.isFinite(value)) return up;
  const exact = value.toFixed(digits + extra);
  if (exact.slice(-extra) !== `5${"0".repeat(extra - 1)}`) return up;
  const down = exact.slice(0, digits === 0 ? -extra - 1 : -extra);
  return Number(down.at(-1)) % 2 === 0 ? down : up;
}

/**
 * Seconds as the original prints them: `h:mm:ss` (hours may pass 24), optionally with
 * fractional seconds as Python's `str(timedelta)` would (`0:00:02.30` with two decimals).
 */
export function formatDuration(seconds: Seconds, fractionDigits = 0): string {
  const safe = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
  const total = fractionDigits > 0 ? Number(toFixedHalfEven(safe, fractionDigits)) : Math.round(safe);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total - hours * 3600) / 60);
  const secs = total - hours * 3600 - minutes * 60;
  const secText =
    fractionDigits > 0
      ? secs.toFixed(fractionDigits).padStart(3 + fractionDigits, "0")
      : String(Math.floor(secs)).padStart(2, "0");
  return `${hours}:${String(minutes).padStart(2, "0")}:${secText}`;
}
