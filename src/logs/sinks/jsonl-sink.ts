// The run's JSONL: one record a line, appended as the run goes (DESIGN.md "Logs").
import type { EventSink, TrackerEvent } from "../../tracker/events.js";
import type { LogFiles } from "./log-files.js";

/** Appends every record event to the run's JSONL file. */
export class JsonlSink implements EventSink {
  constructor(private readonly files: LogFiles) {}

  handle(event: TrackerEvent): void {
    if (event.type === "record") this.files.append("jsonl", `${JSON.stringify(event.record)}\n`);
  }
}
