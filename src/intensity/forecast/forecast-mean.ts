// Sources answer forecasts as periods (hourly, half-hourly, 5-minute); the prediction needs one
// figure for a window, weighted by how much of the window each period covers.
import type { IntensityReading } from "../types.js";

/** The part of [fromMs, toMs] a set of forecast periods covers, and its time-weighted mean. */
export interface ForecastCoverage {
  /** Time-weighted mean in gCO2eq/kWh over the covered part. */
  gPerKwh: number;
  /** First and last covered instants (Unix ms). */
  coveredFrom: number;
  coveredTo: number;
  /** Covered milliseconds (gaps excluded). */
  coveredMs: number;
}

/**
 * Time-weighted mean of forecast periods over [fromMs, toMs]; undefined when no period with a
 * finite figure overlaps the window (an empty forecast must not become NaN).
 */
export function forecastCoverage(
  periods: readonly IntensityReading[],
  fromMs: number,
  toMs: number,
): ForecastCoverage | undefined {
  let weighted = 0;
  let coveredMs = 0;
  let coveredFrom = Infinity;
  let coveredTo = -Infinity;
  for (const period of periods) {
    if (!Number.isFinite(period.gPerKwh) || period.validTo === undefined) continue;
    const start = Math.max(fromMs, period.validFrom);
    const end = Math.min(toMs, period.validTo);
    if (end <= start) continue;
    weighted += period.gPerKwh * (end - start);
    coveredMs += end - start;
    coveredFrom = Math.min(coveredFrom, start);
    coveredTo = Math.max(coveredTo, end);
  }
  if (coveredMs === 0) return undefined;
  return { gPerKwh: weighted / coveredMs, coveredFrom, coveredTo, coveredMs };
}
