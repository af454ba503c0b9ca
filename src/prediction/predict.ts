// Pure prediction from finished epochs: the original's method (mean epoch × epochs) and, from
// two epochs on, a range from the spread of the epochs seen.
import type { Joules, Seconds } from "../units/index.js";

/** One finished epoch as the prediction sees it (energy before PUE). */
export interface EpochFigures {
  durationS: Seconds;
  energyJ: Joules;
}

/** A predicted total for a whole training run (energy before PUE). */
export interface Prediction {
  /** Epochs the prediction covers (the whole run). */
  epochs: number;
  durationS: Seconds;
  energyJ: Joules;
  /** How it was made. */
  method: "mean-epoch";
  /** Energy range from the lowest and highest epoch seen, when 2+ epochs were seen. */
  range?: { lowJ: Joules; highJ: Joules; lowS: Seconds; highS: Seconds };
}

/** Predicts the total of `totalEpochs` epochs from the epochs seen (the original's method). */
export function predictTotal(seen: readonly EpochFigures[], totalEpochs: number): Prediction {
  if (seen.length === 0) {
    return { epochs: totalEpochs, durationS: 0, energyJ: 0, method: "mean-epoch" };
  }
  const meanEnergy = seen.reduce((sum, e) => sum + e.energyJ, 0) / seen.length;
  const meanDuration = seen.reduce((sum, e) => sum + e.durationS, 0) / seen.length;
  const prediction: Prediction = {
    epochs: totalEpochs,
    durationS: meanDuration * totalEpochs,
    energyJ: meanEnergy * totalEpochs,
    method: "mean-epoch",
  };
  if (seen.length >= 2) {
    const energies = seen.map((e) => e.energyJ);
    const durations = seen.map((e) => e.durationS);
    prediction.range = {
      lowJ: Math.min(...energies) * totalEpochs,
      highJ: Math.max(...energies) * totalEpochs,
      lowS: Math.min(...durations) * totalEpochs,
      highS: Math.max(...durations) * totalEpochs,
    };
  }
  return prediction;
}
