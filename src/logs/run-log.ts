// Where a run's words go: the console and the original's three text logs (standard, output,
// err) plus our JSONL, each appended and flushed at once so a killed run loses nothing, except
// background samples: those are batched (one write per SAMPLE_BATCH_MS of samples, and before
// any other record, at close and at process exit), so a run killed by a signal loses at most
// the last batch of samples, never an epoch. A log that cannot be written is one warning; the
// run and its console output go on.
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { errTimestamp, logTimestamp } from "./format.js";
import type { RecordSink, TrackerRecord } from "./schema.js";
import type { RunFiles } from "./run-files.js";

/** Console and log destinations of one run. */
export interface RunLogOptions {
  files: RunFiles | undefined;
  verbose: number;
  stdout: (text: string) => void;
  /** Strings that must never be written anywhere (API keys). */
  secrets?: string[];
  now?: () => Date;
}

type FileKind = "standard" | "output" | "err" | "jsonl";

/** Samples are written together once the oldest waiting one is this old (ms of sample time). */
export const SAMPLE_BATCH_MS = 10_000;
/** ... or once this many characters wait. */
const SAMPLE_BATCH_CHARS = 64 * 1024;

/** Logs with samples waiting, flushed if the process exits without closing them. */
const unflushed = new Set<RunLog>();
let exitHookInstalled = false;

function flushAtExit(): void {
  for (const log of unflushed) log.flushSamples();
}

/** Writes console lines, text logs and JSONL records for one run. */
export class RunLog implements RecordSink {
  private readonly fds = new Map<FileKind, number>();
  private readonly failed = new Set<FileKind>();
  private readonly warnedCodes = new Set<string>();
  private readonly now: () => Date;
  private readonly secrets: string[];
  private pendingSamples = "";
  private pendingSinceT = 0;

  constructor(private readonly options: RunLogOptions) {
    this.now = options.now ?? (() => new Date());
    this.secrets = (options.secrets ?? []).filter((s) => s.length >= 4);
    if (options.files) {
      try {
        mkdirSync(options.files.standard.replace(/[/\\][^/\\]*$/, ""), { recursive: true });
      } catch {
        // Reported on the first write that fails.
      }
    }
  }

  /** Paths of the log files, when logging to files. */
  get files(): RunFiles | undefined {
    return this.options.files;
  }

  private redact(text: string): string {
    let safe = text;
    for (const secret of this.secrets) safe = safe.split(secret).join("***");
    return safe;
  }

  private append(kind: FileKind, text: string): void {
    const files = this.options.files;
    if (!files || this.failed.has(kind)) return;
    try {
      let fd = this.fds.get(kind);
      if (fd === undefined) {
        fd = openSync(files[kind], "a");
        this.fds.set(kind, fd);
      }
      writeSync(fd, this.redact(text));
    } catch (error) {
      this.failed.add(kind);
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      // One warning per cause: a folder that cannot be written fails all four files alike.
      if (this.warnedCodes.has(code)) return;
      this.warnedCodes.add(code);
      this.console(
        `CarbonTracker: WARNING - Cannot write log file ${files[kind]} (${code}); tracking goes on, without the log files that fail so. Use --log_dir to choose a writable folder.\n`,
        true,
      );
    }
  }

  private console(text: string, always = false): void {
    if (always || this.options.verbose >= 1) this.options.stdout(this.redact(text));
  }

  /** Creates the standard and output logs at once, as the original does. */
  open(): void {
    this.append("standard", "");
    this.append("output", "");
  }

  /** A line of the standard log (`<time> - <message>`). */
  standard(message: string): void {
    this.append("standard", `${logTimestamp(this.now())} - ${message}\n`);
  }

  /** A "CarbonTracker: <message>" line on the console and in the output log. */
  output(message: string, minVerbose = 1): void {
    if (this.options.verbose >= minVerbose) this.console(`CarbonTracker: ${message}\n`);
    this.append("output", `${logTimestamp(this.now())} - CarbonTracker: ${message}\n`);
  }

  /** A plain console line (the simulated components' banner), at verbose >= 1. */
  plain(message: string): void {
    this.console(`${message}\n`);
  }

  /** A warning: console and err log (the original's routing). */
  warning(message: string): void {
    this.console(`CarbonTracker: WARNING - ${message}\n`);
    this.append("err", `${errTimestamp(this.now())} - MainThread - WARNING - ${message}\n`);
  }

  /** An error: always on the console, and in the err log. */
  error(message: string): void {
    this.console(`CarbonTracker: ERROR - ${message}\n`, true);
    this.append("err", `${errTimestamp(this.now())} - MainThread - ERROR - ${message}\n`);
  }

  /** A detail for the err log only (the original's DEBUG lines). */
  debug(message: string): void {
    this.append("err", `${errTimestamp(this.now())} - MainThread - DEBUG - ${message}\n`);
  }

  /** Appends one JSONL record; samples wait for their batch, anything else is written at once. */
  write(record: TrackerRecord): void {
    const line = `${JSON.stringify(record)}\n`;
    if (record.type !== "sample") {
      const waiting = this.takeSamples();
      this.append("jsonl", waiting + line);
      return;
    }
    if (this.pendingSamples === "") {
      this.pendingSinceT = record.t;
      unflushed.add(this);
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.on("exit", flushAtExit);
      }
    }
    this.pendingSamples += line;
    if (
      record.t - this.pendingSinceT >= SAMPLE_BATCH_MS ||
      this.pendingSamples.length >= SAMPLE_BATCH_CHARS
    ) {
      this.flushSamples();
    }
  }

  /** Writes the samples waiting for their batch now. */
  flushSamples(): void {
    const waiting = this.takeSamples();
    if (waiting !== "") this.append("jsonl", waiting);
  }

  private takeSamples(): string {
    const waiting = this.pendingSamples;
    this.pendingSamples = "";
    unflushed.delete(this);
    return waiting;
  }

  /** Writes waiting samples and closes the files. Idempotent. */
  close(): void {
    this.flushSamples();
    for (const fd of this.fds.values()) {
      try {
        closeSync(fd);
      } catch {
        // Already closed.
      }
    }
    this.fds.clear();
    this.failed.add("standard").add("output").add("err").add("jsonl");
  }
}
