// The run on the console, as the original prints it: "CarbonTracker: ..." lines and blocks from
// verbose 1 (some from 2), warnings from verbose 1 (with `warnAtVerboseZero` always, as the
// original's err logger and print() show them), errors always, the simulated devices' bare
// lines. Where the text goes is the caller's choice (stdout for the library, stderr for the CLI).
import type { EventSink, TrackerEvent } from "../../tracker/events.js";
import { eventText, type BlockStyle } from "../event-text.js";
import { redactor } from "../../secrets/redact.js";

/** Console settings of one run. */
export interface ConsoleSinkOptions extends BlockStyle {
  verbose: number;
  write: (text: string) => void;
  /** Strings never shown (API keys). */
  secrets: readonly string[];
  /** Warnings and bare lines at verbose 0 too (the original's console for a Python program). */
  warnAtVerboseZero?: boolean;
}

/** Prints a run's events. */
export class ConsoleSink implements EventSink {
  private readonly redact: (text: string) => string;

  constructor(private readonly options: ConsoleSinkOptions) {
    this.redact = redactor(options.secrets);
  }

  private print(text: string): void {
    this.options.write(this.redact(text));
  }

  /** A warning shown whatever the verbosity (a log file that cannot be written). */
  alwaysWarn(text: string): void {
    this.print(`CarbonTracker: WARNING - ${text}\n`);
  }

  handle(event: TrackerEvent): void {
    if (event.type === "record") return;
    const { verbose } = this.options;
    const warns = verbose >= 1 || this.options.warnAtVerboseZero === true;
    const text = eventText(event, this.options);
    if (warns) for (const line of text.banner) this.print(`${line}\n`);
    for (const line of text.output) {
      if (verbose >= line.minVerbose) this.print(`CarbonTracker: ${line.text}\n`);
    }
    for (const line of text.err) {
      if (line.level === "ERROR") this.print(`CarbonTracker: ERROR - ${line.text}\n`);
      else if (line.level === "WARNING" && warns) this.print(`CarbonTracker: WARNING - ${line.text}\n`);
    }
  }
}
