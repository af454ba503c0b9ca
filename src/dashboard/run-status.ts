// Whether a run is still going: its JSONL has no `end` record yet and its process is alive (on
// this host) or its log was written a moment ago (a run on another node of a shared folder).
import { hostname } from "node:os";
import type { ParsedRun } from "../logs/parser/types.js";
import type { RunRecord } from "../reports/run-table.js";

/** What the runs table says of a run. */
export type RunStatus = "running" | "finished" | "interrupted" | "unknown";

/**
 * A run on another host counts as running while its log was written this recently (ms): a
 * tracked run writes its JSONL at least once a minute at the default interval (its samples,
 * sampling/sample-batch.ts).
 */
const REMOTE_STALE_MS = 120_000;
/** A live pid with a log untouched this long is another process that got the same pid (ms). */
const LOCAL_STALE_MS = 24 * 3600_000;

/** Whether a process with this pid exists on this machine. */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** How the world looks to the status check (injected in tests). */
export interface StatusContext {
  nowMs: number;
  host: string;
  alive: (pid: number) => boolean;
}

/** The real machine and clock. */
export function systemStatusContext(): StatusContext {
  return { nowMs: Date.now(), host: hostname(), alive: pidAlive };
}

/**
 * The status of a run: ended runs by what their logs say (interrupted when they stopped
 * early), a JSONL without an end by whether its writer is still there.
 * @param modifiedMs when the run's newest file was last written (Unix ms).
 */
export function runStatus(
  run: ParsedRun,
  record: RunRecord,
  modifiedMs: number,
  context: StatusContext,
): RunStatus {
  if (run.source === "jsonl" && (run.endReason ?? null) === null) {
    const age = context.nowMs - modifiedMs;
    const local = run.host !== null && run.host === context.host && run.pid !== null;
    const going = local ? context.alive(run.pid as number) && age < LOCAL_STALE_MS : age < REMOTE_STALE_MS;
    return going ? "running" : "interrupted";
  }
  if (run.endReason === "signal" || run.endReason === "error") return "interrupted";
  if (record.early_stop === null) return "unknown";
  return record.early_stop ? "interrupted" : "finished";
}
