// The run's file names, as the original names them, so its parser and users' scripts find ours.
import { join } from "node:path";
import { fileTimestamp } from "./format.js";

/** Paths of one run's log files. */
export interface RunFiles {
  /** `<prefix_><pid>.<id>_<YYYY-MM-DDTHHMMSSZ>` */
  runId: string;
  standard: string;
  output: string;
  err: string;
  jsonl: string;
}

/** The text before the pid in the file names for a log file prefix: `<prefix>_`, or none. */
export function namePrefix(logFilePrefix: string): string {
  return logFilePrefix ? `${logFilePrefix}_` : "";
}

/**
 * Names the run's files in `logDir`. `before` is the text before the pid (see namePrefix); `id`
 * tells apart runs of one pid (6 digits).
 */
export function runFiles(logDir: string, before: string, pid: number, id: number, start: Date): RunFiles {
  const runId = `${before}${pid}.${String(id).padStart(6, "0")}_${fileTimestamp(start)}`;
  const base = join(logDir, runId);
  return {
    runId,
    standard: `${base}_carbontracker.log`,
    output: `${base}_carbontracker_output.log`,
    err: `${base}_carbontracker_err.log`,
    jsonl: `${base}_carbontracker.jsonl`,
  };
}
