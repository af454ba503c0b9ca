// Log file names: `<prefix_><pid>.<id>_<YYYY-MM-DDTHHMMSSZ>_carbontracker[_output|_err].log` and
// our `..._carbontracker.jsonl`; 1.1.7 until per-tracker loggers (saintslab/carbontracker#73, 2024)
// wrote `<prefix_><pid>_<...Z>`, 1.1.0-1.1.6 `<YYYY-MM-DDTHHMMSSZ>`, 1.0 `<YYYY-MM-DDTHH:MMZ>`.
// Files of one run share the part before `_carbontracker`, which is how they are paired.

/** The four files a run may leave. */
export type LogFileKind = "standard" | "output" | "err" | "jsonl";

const SUFFIXES: [LogFileKind, RegExp][] = [
  ["output", /^(.*?)_?carbontracker_output\.log$/],
  ["err", /^(.*?)_?carbontracker_err\.log$/],
  ["standard", /^(.*?)_?carbontracker\.log$/],
  ["jsonl", /^(.*?)_?carbontracker\.jsonl$/],
];

const RUN_ID = /^(?:(.*)_)?(\d+)(?:\.(\d+))?_(\d{4})-(\d{2})-(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** The kind of a log file and its run id, or null when the name is not a carbontracker log's. */
export function classifyLogName(name: string): { kind: LogFileKind; runId: string } | null {
  for (const [kind, pattern] of SUFFIXES) {
    const m = pattern.exec(name);
    if (m) return { kind, runId: m[1] as string };
  }
  return null;
}

/** Prefix, pid, tracker id (null in names written before #73) and start time in a run id. */
export function parseRunId(
  runId: string,
): { prefix: string | null; pid: number; id: string | null; start: string } | null {
  const m = RUN_ID.exec(runId);
  if (!m) return null;
  return {
    prefix: m[1] ?? null,
    pid: Number(m[2]),
    id: m[3] ?? null,
    start: `${m[4]}-${m[5]}-${m[6]}T${m[7]}:${m[8]}:${m[9]}`,
  };
}

/** The name the original sorts a run by (its output log's), so sums add in the original's order. */
export function sortKey(runId: string): string {
  return `${runId}_carbontracker_output.log`;
}
