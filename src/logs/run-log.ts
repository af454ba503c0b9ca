// Where a run's words go: the console and the original's three text logs (standard, output,
// err) plus our JSONL, each appended and flushed at once so a killed run loses nothing. A log
// that cannot be written is one warning; the run and its console output go on.
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

/** Writes console lines, text logs and JSONL records for one run. */
export class RunLog implements RecordSink {
  private readonly fds = new Map<FileKind, number>();
  private readonly failed = new Set<FileKind>();
  private readonly warnedCodes = new Set<string>();
  private readonly now: () => Date;
  private readonly secrets: string[];

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

  /** Appends one JSONL record. */
  write(record: TrackerRecord): void {
    this.append("jsonl", `${JSON.stringify(record)}\n`);
  }

  /** Closes the files. Idempotent. */
  close(): void {
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
