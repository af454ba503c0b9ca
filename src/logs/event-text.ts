// The original's words for each event of a run, per channel: the standard log, the output
// channel (console "CarbonTracker: ..." lines and the output log), the err log (its warnings
// and errors also reach the console) and bare console prints. Scripts parse these: a changed
// character breaks them.
import type { TrackerEvent } from "../tracker/events.js";
import { formatDuration, toFixedHalfEven } from "../units/index.js";
import { consumptionBlock, pythonFloat } from "./format.js";
import { unmeasuredNote } from "./provenance-note.js";

/** How often the original says it fetches intensities (s); its words, kept. */
const FETCH_EVERY_S = 900;

/** One line of the output channel, shown on the console from `minVerbose` on. */
interface OutputLine {
  text: string;
  minVerbose: number;
}

/** An err-log line; WARNING and ERROR lines go to the console too. */
interface ErrLine {
  level: "DEBUG" | "WARNING" | "ERROR";
  text: string;
}

/** An event's text on every channel (each list in the order written). */
export interface EventText {
  standard: string[];
  output: OutputLine[];
  err: ErrLine[];
  /** Console-only lines (the original's print()). */
  banner: string[];
}

/** Formatting options of the consumption blocks. */
export interface BlockStyle {
  decimalPrecision: number;
  interpretable: boolean;
}

const out = (text: string, minVerbose = 1): OutputLine => ({ text, minVerbose });

function empty(): EventText {
  return { standard: [], output: [], err: [], banner: [] };
}

/** The text of one event; records (JSONL) have none. */
export function eventText(event: TrackerEvent, style: BlockStyle): EventText {
  const text = empty();
  switch (event.type) {
    case "run-started":
      text.standard.push(
        `carbontracker version ${event.version}`,
        `Only predicted and actual consumptions are multiplied by a PUE coefficient of ${event.pue} (${event.pueSource ?? "set by the user"}).`,
      );
      break;
    case "notice":
      if (event.level === "info") text.standard.push(event.text);
      else if (event.level === "banner") text.banner.push(event.text);
      else
        text.err.push({
          level: event.level === "debug" ? "DEBUG" : event.level === "warning" ? "WARNING" : "ERROR",
          text: event.text,
        });
      break;
    case "devices-found": {
      const found = event.components.filter((c) => event.devices.some((d) => d.component === c));
      const parts = found.map(
        (c) =>
          `${c.toUpperCase()} with device(s) ${event.devices
            .filter((d) => d.component === c)
            .map((d) => d.device)
            .join(", ")}.`,
      );
      const message = `The following components were found: ${parts.join(" ")}`;
      text.output.push(out(message));
      text.standard.push(message);
      break;
    }
    case "intensity":
      if (event.initial) {
        text.err.push({ level: "WARNING", text: event.reading.message });
        if (event.reading.detail) text.err.push({ level: "WARNING", text: event.reading.detail });
      } else if (!event.reading.forecast) {
        text.output.push(
          out(
            `Current carbon intensity is ${toFixedHalfEven(event.reading.gPerKwh, 2)} gCO2eq/kWh at detected location: ${event.reading.location} (${event.reading.source}).`,
            event.firstLive ? 1 : 2,
          ),
        );
      }
      break;
    case "monitoring-started":
      text.standard.push("Monitoring thread started.");
      break;
    case "epoch-finished": {
      const e = event.epoch;
      text.standard.push(`Epoch ${e.epoch}:`, `Duration: ${formatDuration(e.durationS, 2)}`);
      for (const component of event.components) {
        const joules = e.energyByComponentJ[component];
        if (joules === undefined) continue;
        const watts = e.durationS > 0 ? joules / e.durationS : 0;
        text.standard.push(`Average power usage (W) for ${component}: ${pythonFloat(watts)}`);
      }
      break;
    }
    case "epoch-cut":
      text.standard.push(
        `Epoch ${event.epoch} was cut short after ${formatDuration(event.durationS, 2)}: not counted in the actual consumption.`,
      );
      break;
    case "forecast": {
      const line = `Carbon intensity for the next ${formatDuration(event.remainingS)} is predicted to be ${toFixedHalfEven(event.gPerKwh, 2)} gCO2/kWh (${event.source}, covering ${formatDuration(event.coveredS)}).`;
      text.standard.push(line);
      text.output.push(out(line, 2));
      break;
    }
    case "advice": {
      const line = `Starting the remaining ${formatDuration(event.remainingS)} of training in ${formatDuration(event.waitS)} instead of now would save ${toFixedHalfEven(event.gramsSaved, 2)} g CO2eq (${toFixedHalfEven(event.nowGPerKwh, 2)} -> ${toFixedHalfEven(event.bestGPerKwh, 2)} gCO2eq/kWh, forecast by ${event.source} for ${event.location}).`;
      text.standard.push(line);
      text.output.push(out(line));
      break;
    }
    case "prediction": {
      const p = event.prediction;
      text.output.push(
        out(
          consumptionBlock({
            kind: "Predicted",
            epochs: p.epochs,
            durationS: p.durationS,
            energyKwh: p.energyKwh,
            co2eqG: p.co2eqG,
            ...style,
          }),
        ),
      );
      if (p.range) {
        const [low, high] = p.range.energyKwh;
        const digits = style.decimalPrecision;
        text.output.push(
          out(
            `Predicted energy range from the ${event.epochsSeen} epochs seen: ${toFixedHalfEven(low, digits)} to ${toFixedHalfEven(high, digits)} kWh.`,
            2,
          ),
        );
      }
      break;
    }
    case "prompt":
      promptText(event.step, text);
      break;
    case "interrupted": {
      const line = `Training was interrupted before all ${event.monitorEpochs} epochs were monitored.`;
      text.standard.push(line);
      // On the console too (the original logs it only): a console capture such as a SLURM .out
      // file then tells an interrupted run from one that monitored fewer epochs than it trained.
      text.output.push(out(line));
      break;
    }
    case "actual": {
      const a = event.actual;
      text.standard.push(
        `Carbon intensities (gCO2eq/kWh) fetched every ${FETCH_EVERY_S} s at detected location: ${event.location}: [${event.readings.map((r) => pythonFloat(r.gPerKwh)).join(", ")}]`,
      );
      const average = `Average carbon intensity during training was ${toFixedHalfEven(a.gPerKwh, 2)} gCO2eq/kWh. `;
      text.standard.push(average);
      text.output.push(out(average));
      text.output.push(
        out(
          consumptionBlock({
            kind: "Actual",
            epochs: event.withoutEpochCount ? undefined : a.epochs,
            durationS: a.durationS,
            energyKwh: a.energyKwh,
            co2eqG: a.co2eqG,
            ...style,
          }),
        ),
      );
      for (const device of event.unmeasured) {
        if (device.provenance === "estimate" || device.provenance === "simulated")
          text.output.push(
            out(
              unmeasuredNote(
                device.component,
                device.device,
                device.provenance,
                device.details?.estimate_label,
              ),
            ),
          );
      }
      break;
    }
    case "monitoring-ended":
      text.output.push(out("Finished monitoring."));
      text.standard.push("Monitoring thread ended.");
      break;
    case "record":
      break;
  }
  return text;
}

function promptText(
  step: "question" | "continuing" | "quitting" | "unrecognised" | "end-of-input",
  text: EventText,
) {
  switch (step) {
    case "question":
      text.output.push(out("Continue training (y/n)?"));
      break;
    case "continuing":
      text.output.push(out("Continuing..."));
      break;
    case "quitting":
      text.standard.push("Session ended by user.");
      text.output.push(out("Quitting..."));
      break;
    case "unrecognised":
      text.output.push(out("Input not recognized. Try again (y/n):"));
      break;
    case "end-of-input":
      text.output.push(out("No answer (end of input): continuing."));
      break;
  }
}
