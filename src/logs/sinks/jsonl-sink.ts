// The run's JSONL: one record a line, appended as the run goes (DESIGN.md "Logs"). Background
// samples are written in batches: those handed over in one turn of the event loop (samplers hand
// them over in batches, sampling/sample-batch.ts) go out in one write at the end of that turn,
// and before any other record, at close and at process exit: so the file keeps the records'
// order, a live view (the dashboard) sees the run grow, and a run killed by SIGKILL loses at most
// the samples not yet handed over, never an epoch.
import type { EventSink, TrackerEvent } from "../../tracker/events.js";
import type { LogFiles } from "./log-files.js";

/** Samples are written at once when this many characters wait (a fast sampler's long batch). */
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

  constructor(private readonly files: LogFiles) {}

  handle(event: TrackerEvent): void {
    if (event.type !== "record") return;
    const line = `${JSON.stringify(event.record)}\n`;
    if (event.record.type !== "sample") {
      this.files.append("jsonl", this.takeSamples() + line);
      return;
    }
    if (this.pendingSamples === "") {
      unflushed.add(this);
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.on("exit", flushAtExit);
      }
      // Every sample handed over in this turn joins the one write at its end. A promise job, not
      // queueMicrotask: Node wraps each of those in an async resource, work that would come back
      // with every batch of a run that lasts hours.
      void Promise.resolve().then(() => this.flushSamples());
    }
    this.pendingSamples += line;
    if (this.pendingSamples.length >= SAMPLE_BATCH_CHARS) this.flushSamples();
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
