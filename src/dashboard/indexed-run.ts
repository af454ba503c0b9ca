// One run as the dashboard keeps it: the parser's run without its samples, the record
// `--parse --json` prints for it, its progress so far and status, and a key for URLs.
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { dirname, join } from "node:path";
import { sortKey } from "../logs/parser/run-id.js";
import { runProgress, type RunProgress } from "../logs/parser/run-progress.js";
import type { ParsedRun } from "../logs/parser/types.js";
import { runRecord, type RunRecord } from "../reports/run-table.js";
import { runStatus, type RunStatus, type StatusContext } from "./run-status.js";

/** One run as the dashboard shows it. */
export interface IndexedRun {
  /** Stable id for URLs: a hash of the folder and the run id. */
  key: string;
  /** Position of its folder among the dashboard's log folders. */
  dirIndex: number;
  /** The parser's run, without its samples. */
  run: ParsedRun;
  /** The record `--parse --json` prints for it. */
  record: RunRecord;
  /** What its JSONL says so far (JSONL runs only). */
  progress: RunProgress | null;
  status: RunStatus;
  /** When its newest file was written (Unix ms). */
  modifiedMs: number;
  /** Sort position: the parser's file order. */
  order: string;
}

/** The URL key of a run: stable across restarts, free of path characters. */
export function keyOf(dir: string, runId: string): string {
  return createHash("sha1").update(`${dir}\u0000${runId}`).digest("hex").slice(0, 16);
}

function dirIndexOf(dirs: readonly string[], run: ParsedRun): number {
  const f = run.files;
  const file = f.jsonl ?? f.standard ?? f.output ?? f.err ?? f.capture ?? "";
  const i = dirs.indexOf(dirname(file));
  return i >= 0 ? i : 0;
}

/** The dashboard's entry of a parsed run (its samples dropped, so 10,000 runs stay small). */
export function indexedRun(dirs: readonly string[], run: ParsedRun, status: StatusContext): IndexedRun {
  let modifiedMs = 0;
  // Synchronous: one stat is microseconds, and 40,000 through the thread pool take seconds.
  for (const file of Object.values(run.files) as string[])
    modifiedMs = Math.max(modifiedMs, statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0);
  const dirIndex = dirIndexOf(dirs, run);
  const dir = dirs[dirIndex] as string;
  const progress = run.source === "jsonl" ? runProgress(run) : null;
  run.samples = [];
  const record = runRecord(run);
  return {
    key: keyOf(dir, run.runId),
    dirIndex,
    run,
    record,
    progress,
    status: runStatus(run, record, modifiedMs, status),
    modifiedMs,
    order: run.files.capture ? `${run.files.capture}#${run.runId}` : join(dir, sortKey(run.runId)),
  };
}
