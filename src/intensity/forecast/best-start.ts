// Carbon-aware advice: with a forecast in hand, when should a job of known length start to
// run on the cleanest power? Candidate starts are now, the latest allowed, and each start where
// the job's start or end meets a forecast period boundary.
import type { IntensityReading } from "../types.js";
import { forecastCoverage } from "./forecast-mean.js";

/** The advice for one job: start now versus the best start the forecast allows. */
export interface StartAdvice {
  /** Mean forecast intensity if started at `nowMs` (gCO2eq/kWh). */
  nowGPerKwh: number;
  /** Best start (Unix ms) and its mean forecast intensity (gCO2eq/kWh). */
  bestStartMs: number;
  bestGPerKwh: number;
  /** Grams CO2eq saved by starting at the best time, for `energyKwh` (0 when not given). */
  gramsSaved: number;
  /** Source and place of the forecast. */
  source: string;
  location: string;
}

/**
 * The start in [nowMs, nowMs + withinMs] whose [start, start + durationMs] window has the lowest
 * mean forecast; only windows the forecast fully covers count. Undefined when even starting
 * now is not fully covered.
 */
export function bestStart(
  periods: readonly IntensityReading[],
  nowMs: number,
  durationMs: number,
  withinMs: number,
  energyKwh = 0,
): StartAdvice | undefined {
  const full = (start: number): number | undefined => {
    const coverage = forecastCoverage(periods, start, start + durationMs);
    return coverage && coverage.coveredMs >= durationMs - 1 ? coverage.gPerKwh : undefined;
  };
  const now = full(nowMs);
  const first = periods[0];
  if (now === undefined || !first || durationMs <= 0) return undefined;
  let bestStartMs = nowMs;
  let bestGPerKwh = now;
  const latest = nowMs + Math.max(0, withinMs);
  // The mean is linear in the start between the starts where the job's start or end meets a
  // period boundary, so the lowest is at one of them or at the latest start allowed.
  const starts = periods.flatMap((p) =>
    p.validTo === undefined ? [p.validFrom] : [p.validFrom, p.validTo - durationMs],
  );
  for (const start of [...starts, latest].sort((a, b) => a - b)) {
    if (start <= nowMs || start > latest) continue;
    const mean = full(start);
    if (mean !== undefined && mean < bestGPerKwh - 1e-9) {
      bestStartMs = start;
      bestGPerKwh = mean;
    }
  }
  return {
    nowGPerKwh: now,
    bestStartMs,
    bestGPerKwh,
    gramsSaved: energyKwh * (now - bestGPerKwh),
    source: first.source,
    location: first.location,
  };
}
