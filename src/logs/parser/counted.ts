// Which figure of a run counts: the original's rule (the actual consumption when training
// stopped early or covered all predicted epochs, else the prediction for all epochs), with its
// bugs fixed on purpose: the actual's epoch count is read (the original always reads 1, so it
// counted the prediction instead of the measurement, its #98), and a run that ended without an
// actual block counts the epochs it logged instead of the prediction for epochs that never ran.
import type { Consumption, CountedConsumption } from "./types.js";

/** A run's figures as read from its files. */
export interface CountedInput {
  actual: Consumption | null;
  pred: Consumption | null;
  measured: (Consumption & { epochs: number }) | null;
  /** "Training was interrupted" in the standard log; null when unknown (console captures). */
  earlyStop: boolean | null;
  /** Epochs the standard log or JSONL holds; null when there is neither. */
  loggedEpochs: number | null;
  /** Logged epochs are exact (our JSONL): prefer them to a prediction when no actual exists. */
  exactEpochs?: boolean;
  /** The log holds the epochs of several trackers logging at once: no one block covers them all. */
  interleaved?: boolean;
}

function counted(
  figures: Consumption,
  basis: CountedConsumption["basis"],
  reason: string,
): CountedConsumption {
  return { ...figures, basis, reason };
}

function plural(n: number): string {
  return `${n} epoch${n === 1 ? "" : "s"}`;
}

/** The figure the aggregate counts for one run, why, and what a reader should be told. */
export function decideCounted(input: CountedInput): { counted: CountedConsumption; warnings: string[] } {
  const { actual, pred, measured, earlyStop, loggedEpochs } = input;
  const warnings: string[] = [];
  if (input.interleaved && measured && measured.epochs > 0) {
    return {
      counted: counted(
        measured,
        "epochs",
        `the ${plural(measured.epochs)} logged, of several trackers at once`,
      ),
      warnings,
    };
  }
  if (actual) {
    // The original labels an early stop's actual one epoch short (stop() after a finished
    // epoch); the standard log's epoch count is the right one when it is larger.
    const epochs =
      loggedEpochs !== null && loggedEpochs > (actual.epochs ?? 0) ? loggedEpochs : actual.epochs;
    const fromActual = (reason: string) => ({
      counted: counted({ ...actual, epochs }, "actual", reason),
      warnings,
    });
    if (!pred) return fromActual("measured consumption (no prediction to compare)");
    if (earlyStop === true) return fromActual("training stopped early: the measured consumption counts");
    const covered = actual.epochs ?? loggedEpochs;
    if (covered === null || pred.epochs === null || covered >= pred.epochs) {
      return fromActual("measured consumption covering all predicted epochs");
    }
    if (earlyStop === null) {
      warnings.push(
        `no standard log to tell an early stop from monitoring fewer epochs than training: counted the prediction for ${plural(pred.epochs)}, not the ${plural(covered)} measured`,
      );
    }
    return {
      counted: counted(
        pred,
        "predicted",
        `monitoring covered ${plural(covered)} of ${pred.epochs}: the prediction for all epochs counts`,
      ),
      warnings,
    };
  }
  if (pred) {
    const planned = pred.epochs ?? 0;
    if (loggedEpochs === null) {
      warnings.push(
        `no actual consumption and no standard log: counted the prediction for ${plural(planned)}; the run may have ended earlier`,
      );
      return { counted: counted(pred, "predicted", "prediction (no actual consumption logged)"), warnings };
    }
    if (loggedEpochs >= planned && !(input.exactEpochs && measured)) {
      return {
        counted: counted(pred, "predicted", `no actual consumption logged, but all ${plural(planned)} ran`),
        warnings,
      };
    }
    if (measured && loggedEpochs > 0) {
      warnings.push(
        loggedEpochs < planned
          ? `ended after ${plural(loggedEpochs)} of ${planned} without its actual consumption (killed?): counted the ${plural(loggedEpochs)} logged, not the prediction for ${planned}`
          : `no actual consumption record (killed?): counted the ${plural(loggedEpochs)} logged`,
      );
      return {
        counted: counted(measured, "epochs", `the ${plural(loggedEpochs)} logged before the run ended`),
        warnings,
      };
    }
    warnings.push(
      `ended before any epoch was logged: nothing counted (its prediction was ${Number(pred.energyKwh.toPrecision(12))} kWh)`,
    );
    return { counted: none("no finished epoch"), warnings };
  }
  if (measured && measured.epochs > 0) {
    warnings.push(`no consumption block: counted the ${plural(measured.epochs)} in the standard log`);
    return { counted: counted(measured, "epochs", `the ${plural(measured.epochs)} logged`), warnings };
  }
  return { counted: none("no consumption and no finished epoch logged"), warnings };
}

/** A run that contributes nothing. */
function none(reason: string): CountedConsumption {
  return {
    basis: "none",
    reason,
    epochs: null,
    durationS: null,
    energyKwh: 0,
    co2eqG: null,
    equivalents: null,
  };
}
