// The same run found twice is counted once: copies of its logs (in another folder, or renamed
// with a prefix), a folder and a file in it, its console output named beside its logs, or a later
// tracker's lines in another tracker's files (shared-runs.ts) beside its own files.
import { parseRunId } from "./run-id.js";
import type { ParsedRun } from "./types.js";

/** A run, where it sorts, and what identifies its content. */
export interface RunEntry {
  run: ParsedRun;
  /** Sort key: the original's file order for logs, file and index for captures. */
  key: string;
  /** Equal prints mean the same run (see `contentPrint`). */
  print: string;
  /** A text run's `filePrints`: what a later tracker's lines in another tracker's files match. */
  files?: string[];
}

/** A later tracker's run found in the files of the first (`LaterRun`), where it sorts. */
export interface LaterEntry {
  run: ParsedRun;
  key: string;
  tails: string[];
}

/**
 * What identifies a run's copies: its files' prints under a run id naming the same process and
 * start (a prefix aside), or under a name that is no run id. Runs of different processes are never
 * merged, even with equal content (simulated power in a job array logs equal numbers).
 */
export function contentPrint(runId: string, prints: readonly string[]): string {
  const id = parseRunId(runId);
  return `${id ? `${id.pid}.${id.id ?? ""}_${id.start}` : ""}#${prints.join("+")}`;
}

/** The file a note about the run names. */
export function primaryFile(run: ParsedRun): string {
  const f = run.files;
  return f.jsonl ?? f.output ?? f.standard ?? f.capture ?? run.runId;
}

function blockPrint(run: ParsedRun): string | null {
  return run.actual || run.pred ? JSON.stringify([run.actual, run.pred]) : null;
}

const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * The later trackers' runs not read from files of their own: one found in the files of two
 * trackers before it (or in copies of them) is kept once.
 */
function laterNotRead(later: readonly LaterEntry[], logs: readonly RunEntry[]): RunEntry[] {
  const seen = new Set(logs.flatMap((entry) => entry.files ?? []));
  const kept: RunEntry[] = [];
  for (const entry of [...later].sort(byKey)) {
    if (entry.tails.some((tail) => seen.has(tail))) continue;
    for (const tail of entry.tails) seen.add(tail);
    kept.push({ run: entry.run, key: entry.key, print: `later#${entry.tails.join("+")}` });
  }
  return kept;
}

/**
 * Runs in order with each found once (log files win over console output, a later tracker's own
 * files over its lines in another tracker's), and a note per copy.
 */
export function dedupeRuns(
  logs: RunEntry[],
  captures: RunEntry[],
  later: readonly LaterEntry[] = [],
): { runs: ParsedRun[]; notes: { file: string; message: string }[] } {
  const notes: { file: string; message: string }[] = [];
  const kept: RunEntry[] = [];
  const byPrint = new Map<string, ParsedRun>();
  const byBlocks = new Map<string, ParsedRun>();
  const own = [...logs].sort(byKey);
  for (const entry of [...own, ...laterNotRead(later, own), ...[...captures].sort(byKey)]) {
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
