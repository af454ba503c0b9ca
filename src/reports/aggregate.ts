// Totals per SLURM job, node or user (`--parse --by`), from what the logs say: the JSONL's SLURM
// identity and host, a capture's `job.<id>.out` name, the log file's owner. Runs that say
// nothing fall in an "unknown" group rather than being dropped.
import { totalConsumption } from "../logs/parser/totals.js";
import type { ConsumptionTotals, ParsedRun } from "../logs/parser/types.js";

/** What `--by` groups runs by. */
export type GroupBy = "job" | "node" | "user";

/** Runs of one group and their total. */
export interface RunGroup {
  key: string;
  runs: ParsedRun[];
  totals: ConsumptionTotals;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/** The group a run belongs to. */
export function groupKey(run: ParsedRun, by: GroupBy): string {
  if (by === "job") return text(run.slurm?.job_id) ?? "no SLURM job";
  if (by === "node") return text(run.slurm?.node) ?? run.host ?? "unknown node";
  return text(run.slurm?.user) ?? run.owner ?? "unknown user";
}

const UNKNOWN = new Set(["no SLURM job", "unknown node", "unknown user"]);
const naturally = new Intl.Collator("en", { numeric: true });

/** Runs grouped; groups sorted naturally (job 99 before job 100), the unknown group last. */
export function groupRuns(runs: readonly ParsedRun[], by: GroupBy): RunGroup[] {
  const groups = new Map<string, ParsedRun[]>();
  for (const run of runs) {
    const key = groupKey(run, by);
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups]
    .sort(([a], [b]) => Number(UNKNOWN.has(a)) - Number(UNKNOWN.has(b)) || naturally.compare(a, b))
    .map(([key, members]) => ({ key, runs: members, totals: totalConsumption(members) }));
}

/** Enough decimals to show 3 significant digits, and at least 3 (`0.000303`, `4.494`). */
export function formatFigure(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0.000";
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  return value.toFixed(Math.min(20, Math.max(3, 2 - magnitude)));
}

/** One line per group: `job 123: 2 runs, 0.000303 kWh, 0.000135 kg CO2eq`. */
export function formatGroups(groups: readonly RunGroup[], by: GroupBy): string[] {
  return groups.map(({ key, runs, totals }) => {
    const label =
      by === "job" && /^\d/.test(key) ? `job ${key}` : by === "node" || by === "user" ? `${by} ${key}` : key;
    return `${label}: ${runs.length} run${runs.length === 1 ? "" : "s"}, ${formatFigure(totals.energyKwh)} kWh, ${formatFigure(totals.co2eqG / 1000)} kg CO2eq`;
  });
}
