// The run's four files (the original's standard, output and err logs, and our JSONL), each
// appended and flushed at once so a killed run loses nothing. A file that cannot be written
// is one warning per cause; the run and its console output go on.
import { closeSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { RunFiles } from "../run-files.js";
import { redactor } from "../../secrets/redact.js";
import { makeFolder } from "../../files/make-folder.js";

/** Which of the run's files. */
export type LogFileKind = "standard" | "output" | "err" | "jsonl";

/** Appends to the run's files; never throws. */
export class LogFiles {
  private readonly fds = new Map<LogFileKind, number>();
  private readonly failed = new Set<LogFileKind>();
  private readonly warnedCodes = new Set<string>();
  private readonly redact: (text: string) => string;

  /**
   * @param onFailure receives the one warning line per cause (the CLI and library show it
   * whatever the verbosity: losing logs must not go unnoticed).
   */
  constructor(
    readonly paths: RunFiles,
    secrets: readonly string[],
    private readonly onFailure: (warning: string) => void,
  ) {
    this.redact = redactor(secrets);
    try {
      makeFolder(dirname(paths.standard));
    } catch {
      // Reported on the first write that fails.
    }
  }

  /** Creates the standard and output logs at once, as the original does. */
  open(): void {
    this.append("standard", "");
    this.append("output", "");
  }

  /** Appends text to one file (created on first use). */
  append(kind: LogFileKind, text: string): void {
    if (this.failed.has(kind)) return;
    try {
      let fd = this.fds.get(kind);
      if (fd === undefined) {
        fd = openSync(this.paths[kind], "a");
        this.fds.set(kind, fd);
      }
      if (text !== "") writeSync(fd, this.redact(text));
    } catch (error) {
      this.failed.add(kind);
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      // One warning per cause: a folder that cannot be written fails all four files alike.
      if (this.warnedCodes.has(code)) return;
      this.warnedCodes.add(code);
      this.onFailure(
        `Cannot write log file ${this.paths[kind]} (${code}); tracking goes on, without the log files that fail so. Use --log_dir to choose a writable folder.`,
      );
    }
  }

  /** Closes every file. Idempotent; later appends are dropped. */
  close(): void {
    for (const fd of this.fds.values()) {
      try {
        closeSync(fd);
      } catch {
        // Already closed.
      }
    }
    this.fds.clear();
    for (const kind of ["standard", "output", "err", "jsonl"] as const) this.failed.add(kind);
  }
}
