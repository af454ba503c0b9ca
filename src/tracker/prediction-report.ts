// The prediction after the first epochs: the total from the epochs seen (prediction/), the
// intensity expected for the rest (the source's forecast where it has one, else the run's
// average so far), and carbon-aware advice when starting the rest later would emit less.
import { bestStart } from "../intensity/forecast/best-start.js";
import { forecastCoverage } from "../intensity/forecast/forecast-mean.js";
import type { IntensityReading } from "../intensity/types.js";
import { predictTotal } from "../prediction/predict.js";
import { co2eqGrams, facilityKwh } from "../units/index.js";
import type { AdviceEvent, ForecastEvent } from "./events.js";
import type { EpochResult, PredictionResult } from "./results.js";

/** How far ahead a later start is considered for the advice (ms). */
const ADVICE_WINDOW_MS = 24 * 3600 * 1000;

/** What the run knows when it predicts. */
export interface PredictionInput {
  seen: readonly EpochResult[];
  totalEpochs: number;
  pue: number;
  /** The run's energy-weighted intensity so far (g/kWh), used where no forecast covers the rest. */
  averageGPerKwh: number;
  forecastPeriods: readonly IntensityReading[];
  nowMs: number;
}

/** The prediction and what to say beside it. */
export interface PredictionOutcome {
  prediction: PredictionResult;
  method: string;
  forecast?: ForecastEvent;
  advice?: AdviceEvent;
}

/** Predicts the whole training from the epochs seen. */
export function predictRun(input: PredictionInput): PredictionOutcome {
  const { seen, pue, nowMs } = input;
  const predicted = predictTotal(seen, input.totalEpochs);
  const remainingS = Math.max(0, predicted.durationS - seen.reduce((sum, e) => sum + e.durationS, 0));
  const covered = forecastCoverage(input.forecastPeriods, nowMs, nowMs + remainingS * 1000);
  const gPerKwh = covered?.gPerKwh ?? input.averageGPerKwh;
  const outcome: PredictionOutcome = {
    method: predicted.method,
    prediction: {
      epochs: input.totalEpochs,
      durationS: predicted.durationS,
      energyKwh: facilityKwh(predicted.energyJ, pue),
      co2eqG: co2eqGrams(predicted.energyJ, pue, gPerKwh),
      gPerKwh,
    },
  };
  if (covered) {
    outcome.forecast = {
      type: "forecast",
      remainingS,
      gPerKwh: covered.gPerKwh,
      source: input.forecastPeriods[0]?.source ?? "forecast",
      coveredS: covered.coveredMs / 1000,
    };
  }
  if (predicted.range) {
    const r = predicted.range;
    outcome.prediction.range = {
      energyKwh: [facilityKwh(r.lowJ, pue), facilityKwh(r.highJ, pue)],
      co2eqG: [co2eqGrams(r.lowJ, pue, gPerKwh), co2eqGrams(r.highJ, pue, gPerKwh)],
      durationS: [r.lowS, r.highS],
    };
  }
  const remainingKwh = outcome.prediction.energyKwh * (remainingS / Math.max(predicted.durationS, 1e-9));
  outcome.advice = laterStartAdvice(input.forecastPeriods, nowMs, remainingS, remainingKwh);
  return outcome;
}

/**
 * Where the forecast covers the rest of the training: when within the next day starting the
 * rest would emit least, and what that would save; undefined when now is best or unknown.
 */
function laterStartAdvice(
  periods: readonly IntensityReading[],
  nowMs: number,
  remainingS: number,
  remainingKwh: number,
): AdviceEvent | undefined {
  if (remainingS <= 0 || periods.length === 0) return undefined;
  const advice = bestStart(periods, nowMs, remainingS * 1000, ADVICE_WINDOW_MS, remainingKwh);
  if (!advice || advice.bestStartMs === nowMs || advice.gramsSaved <= 0) return undefined;
  return {
    type: "advice",
    remainingS,
    waitS: (advice.bestStartMs - nowMs) / 1000,
    gramsSaved: advice.gramsSaved,
    nowGPerKwh: advice.nowGPerKwh,
    bestGPerKwh: advice.bestGPerKwh,
    source: advice.source,
    location: advice.location,
  };
}
