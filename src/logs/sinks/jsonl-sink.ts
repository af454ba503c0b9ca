// The run's JSONL: one record a line, appended as the run goes (DESIGN.md "Logs"). Background
// samples are written in batches, one write per SAMPLE_BATCH_MS of samples (at the default 1 s
// sampling one write per sample, every device of it; faster sampling groups its samples), and
// before any other record, at close and at process exit: so the file keeps the records' order,
// a live view (the dashboard) sees the run grow, and a run killed by a signal loses at most its
// last batch of samples, never an epoch.
import type { EventSink, TrackerEvent } from "../../tracker/events.js";
import type { LogFiles } from "./log-files.js";

/** Samples are written together once the oldest waiting one is this old (ms of sample time). */
export const SAMPLE_BATCH_MS = 1000;
/** ... or once this many characters wait. */
const SAMPLE_BATCH_CHARS = 64 * 1024;

/** Sinks with samples waiting, written if the process exits without closing them. */
const unflushed = new Set<JsonlSink>();
let exitHookInstalled = false;

function flushAtExit(): void {
  for (const sink of unflushed) sink.flushSamples();
}

/** Appends every record event to the run's JSONL file. */
export class JsonlSink implements EventSink {
  private pendingSamples = "";
  private pendingSinceT = 0;

  constructor(private readonly files: LogFiles) {}

  handle(event: TrackerEvent): void {
    if (event.type !== "record") return;
    const line = `${JSON.stringify(event.record)}\n`;
    if (event.record.type !== "sample") {
      this.files.append("jsonl", this.takeSamples() + line);
      return;
    }
    if (this.pendingSamples === "") {
      this.pendingSinceT = event.record.t;
      unflushed.add(this);
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.on("exit", flushAtExit);
      }
    }
    this.pendingSamples += line;
    if (
      event.record.t - this.pendingSinceT >= SAMPLE_BATCH_MS ||
      this.pendingSamples.length >= SAMPLE_BATCH_CHARS
    ) {
      this.flushSamples();
    }
  }

  /** Writes the samples waiting for their batch now. */
  flushSamples(): void {
    const waiting = this.takeSamples();
    if (waiting !== "") this.files.append("jsonl", waiting);
  }

  close(): void {
    this.flushSamples();
  }

  private takeSamples(): string {
    const waiting = this.pendingSamples;
    this.pendingSamples = "";
    unflushed.delete(this);
    return waiting;
  }
}
