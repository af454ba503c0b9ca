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

/** Names the run's files in `logDir`. `id` tells apart runs of one pid (6 digits). */
export function runFiles(logDir: string, prefix: string, pid: number, id: number, start: Date): RunFiles {
  const runId = `${prefix ? `${prefix}_` : ""}${pid}.${String(id).padStart(6, "0")}_${fileTimestamp(start)}`;
  const base = join(logDir, runId);
  return {
    runId,
    standard: `${base}_carbontracker.log`,
    output: `${base}_carbontracker_output.log`,
    err: `${base}_carbontracker_err.log`,
    jsonl: `${base}_carbontracker.jsonl`,
  };
}
