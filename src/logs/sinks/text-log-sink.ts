// The original's three text logs of a run: the standard log (`<time> - <message>`), the output
// log (the console's "CarbonTracker:" lines, time-stamped, whatever the verbosity) and the err
// log (`<time,ms> - MainThread - LEVEL - <message>`).
import type { EventSink, TrackerEvent } from "../../tracker/events.js";
import { eventText, type BlockStyle } from "../event-text.js";
import { errTimestamp, logTimestamp } from "../format.js";
import type { LogFiles } from "./log-files.js";

/** Writes a run's events into its text logs. */
export class TextLogSink implements EventSink {
  constructor(
    private readonly files: LogFiles,
    private readonly style: BlockStyle,
    private readonly now: () => Date = () => new Date(),
  ) {}

  handle(event: TrackerEvent): void {
    if (event.type === "record") return;
    const text = eventText(event, this.style);
    const now = this.now();
    for (const line of text.standard) this.files.append("standard", `${logTimestamp(now)} - ${line}\n`);
    for (const line of text.output) {
      this.files.append("output", `${logTimestamp(now)} - CarbonTracker: ${line.text}\n`);
    }
    for (const line of text.err) {
      this.files.append("err", `${errTimestamp(now)} - MainThread - ${line.level} - ${line.text}\n`);
    }
  }
}
