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
 * The number that tells apart runs of one pid, as the original draws it: `randint(1, 999999)`
 * (tracker.py, `logger_id`), written without zero padding (`31834.72315_...`).
 */
export function logFileId(random: () => number = Math.random): number {
  return 1 + Math.min(Math.floor(random() * 999_999), 999_998);
}

/**
 * Names the run's files in `logDir`. `before` is the text before the pid (see namePrefix); `id`
 * tells apart runs of one pid (see logFileId), written as the original writes it.
 */
export function runFiles(logDir: string, before: string, pid: number, id: number, start: Date): RunFiles {
  const runId = `${before}${pid}.${id}_${fileTimestamp(start)}`;
  const base = join(logDir, runId);
  return {
    runId,
    standard: `${base}_carbontracker.log`,
    output: `${base}_carbontracker_output.log`,
    err: `${base}_carbontracker_err.log`,
    jsonl: `${base}_carbontracker.jsonl`,
  };
}
