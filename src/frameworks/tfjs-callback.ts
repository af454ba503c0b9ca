// A TensorFlow.js callback that tracks each epoch of model.fit(): pass it in
// `model.fit(x, y, { callbacks: [carbonTrackerCallback(tracker, { model })] })`. Typed by shape
// only, so carbontracker never depends on @tensorflow/tfjs.
import type { CarbonTracker } from "../library/carbon-tracker.js";

/** The part of a tf.LayersModel the callback uses: the flag that ends fit() after this epoch. */
interface StoppableModel {
  stopTraining: boolean;
}

/** The callback object; structurally a tf.js CustomCallbackArgs. */
export interface TfjsCarbonCallback {
  onEpochBegin: (epoch: number) => Promise<void>;
  onEpochEnd: (epoch: number) => Promise<void>;
  onTrainEnd: () => Promise<void>;
}

/** How the callback behaves at the edges of training. */
export interface TfjsCallbackOptions {
  /** Set `stopTraining` on this model when the user answers "n" (stopAndConfirm). */
  model?: StoppableModel;
  /** Stop the tracker (reporting the actual consumption) when fit() ends; default true. */
  stopOnTrainEnd?: boolean;
}

/**
 * Marks each epoch of model.fit() on `tracker` (epochStart/epochEnd). With stopAndConfirm, a
 * "n" answer sets `model.stopTraining` so fit() ends after the epoch.
 */
export function carbonTrackerCallback(
  tracker: CarbonTracker,
  options: TfjsCallbackOptions = {},
): TfjsCarbonCallback {
  return {
    onEpochBegin: async () => {
      tracker.epochStart();
    },
    onEpochEnd: async () => {
      const wasFinished = tracker.finished;
      await tracker.epochEnd();
      // Stopped at this epoch before all monitored epochs: the user said "n".
      if (!wasFinished && tracker.finished && options.model && tracker.options.stopAndConfirm) {
        const result = await tracker.stop();
        if (result?.interrupted) options.model.stopTraining = true;
      }
    },
    onTrainEnd: async () => {
      if (options.stopOnTrainEnd ?? true) await tracker.stop();
    },
  };
}
