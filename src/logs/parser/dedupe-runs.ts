// The same run found twice is counted once: copies of its logs (in another folder, or renamed
// with a prefix), a folder and a file in it, or its console output named beside its logs.
import { createHash } from "node:crypto";
import { parseRunId } from "./run-id.js";
import type { ParsedRun } from "./types.js";

/** A run, where it sorts, and what identifies its content. */
export interface RunEntry {
  run: ParsedRun;
  /** Sort key: the original's file order for logs, file and index for captures. */
  key: string;
  /** Equal prints mean the same run (see `contentPrint`). */
  print: string;
}

/**
 * What identifies a run's copies: its content under a run id naming the same process and start
 * (a prefix aside), or under a name that is no run id. Runs of different processes are never
 * merged, even with equal content (simulated power in a job array logs equal numbers).
 */
export function contentPrint(runId: string, ...texts: (string | undefined)[]): string {
  const id = parseRunId(runId);
  const h = createHash("sha1");
  for (const t of texts) h.update(t ?? "\u0000absent").update("\u0000");
  return `${id ? `${id.pid}.${id.id ?? ""}_${id.start}` : ""}#${h.digest("hex")}`;
}

/** The file a note about the run names. */
export function primaryFile(run: ParsedRun): string {
  const f = run.files;
  return f.jsonl ?? f.output ?? f.standard ?? f.capture ?? run.runId;
}

function blockPrint(run: ParsedRun): string | null {
  return run.actual || run.pred ? JSON.stringify([run.actual, run.pred]) : null;
}

const byKey = (a: RunEntry, b: RunEntry) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Runs in order with each found once (log files win over console output), and a note per copy. */
export function dedupeRuns(
  logs: RunEntry[],
  captures: RunEntry[],
): { runs: ParsedRun[]; notes: { file: string; message: string }[] } {
  const notes: { file: string; message: string }[] = [];
  const kept: RunEntry[] = [];
  const byPrint = new Map<string, ParsedRun>();
  const byBlocks = new Map<string, ParsedRun>();
  for (const entry of [...[...logs].sort(byKey), ...[...captures].sort(byKey)]) {
    const blocks = blockPrint(entry.run);
    const echo = entry.run.source === "console" && blocks !== null ? byBlocks.get(blocks) : undefined;
    const first = byPrint.get(entry.print) ?? echo;
    if (first) {
      notes.push({
        file: primaryFile(entry.run),
        message: `same run as ${primaryFile(first)}: counted once`,
      });
      continue;
    }
    byPrint.set(entry.print, entry.run);
    if (blocks !== null && entry.run.source !== "console") byBlocks.set(blocks, entry.run);
    kept.push(entry);
  }
  return { runs: kept.sort(byKey).map((k) => k.run), notes };
}
