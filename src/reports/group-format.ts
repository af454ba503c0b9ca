// Group totals (`--parse --by job|node|user`) as people and programs read them: a line per group
// with who measured what under it, a JSON record per group, a CSV row per group. One source of
// numbers: groupTotals().
import { CAR_GRAMS_PER_KM } from "../logs/format.js";
import { aggregateSentence } from "../logs/parser/aggregate-sentence.js";
import { csvText } from "./csv.js";
import { significant } from "./figures.js";
import type { GroupBy, GroupTotal } from "./group-totals.js";

/** Enough decimals to show 3 significant digits, and at least 3 (`0.000303`, `4.494`). */
export function formatFigure(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0.000";
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  return value.toFixed(Math.min(20, Math.max(3, 2 - magnitude)));
}

function label(key: string, by: GroupBy): string {
  if (by === "job") return /^\d/.test(key) ? `job ${key}` : key;
  return `${by} ${key}`;
}

/** Sources measured device by device (tracker JSONL or agent), as "who: devices (node)" phrases. */
function measuredPhrases(group: GroupTotal): string[] {
  const byWho = new Map<string, string[]>();
  for (const s of group.sources) {
    if (!/^(rank |pid |agent)/.test(s.measuredBy)) continue;
    const devices = byWho.get(s.measuredBy) ?? [];
    devices.push(`${s.device} on ${s.node} (${s.provenance})`);
    byWho.set(s.measuredBy, devices);
  }
  return [...byWho].map(([who, devices]) => `${who}: ${devices.join(", ")}`);
}

/**
 * One line per group (`job 123: 2 runs, 0.000303 kWh, 0.000135 kg CO2eq`), then, indented, who
 * measured which device and what was left out as measured twice.
 */
export function formatGroups(groups: readonly GroupTotal[], by: GroupBy): string[] {
  const lines: string[] = [];
  for (const g of groups) {
    lines.push(
      `${label(g.key, by)}: ${g.runs} run${g.runs === 1 ? "" : "s"}, ${formatFigure(g.energyKwh)} kWh, ${formatFigure(g.co2eqG / 1000)} kg CO2eq`,
    );
    const measured = measuredPhrases(g);
    if (measured.length > 0) lines.push(`  measured by ${measured.join("; ")}`);
    for (const d of g.duplicates) {
      lines.push(
        `  left out, measured twice: ${d.device} on ${d.node} by ${d.measuredBy} (${formatFigure(d.energyKwh)} kWh, ${d.file})`,
      );
    }
  }
  return lines;
}

/** The sentence over the groups' totals: what is measured twice is counted once here too. */
export function groupsSentence(groups: readonly GroupTotal[]): string {
  const energyKwh = groups.reduce((sum, g) => sum + g.energyKwh, 0);
  const co2eqG = groups.reduce((sum, g) => sum + g.co2eqG, 0);
  return aggregateSentence({
    energyKwh,
    co2eqG,
    equivalents: { "km travelled by car": co2eqG / CAR_GRAMS_PER_KM },
  });
}

/** A group as a plain record (JSON field names are the CSV column names). */
export function groupRecord(g: GroupTotal, by: GroupBy): Record<string, unknown> {
  return {
    by,
    group: g.key,
    jobs: g.jobs,
    nodes: g.nodes,
    users: g.users,
    runs: g.runs,
    // Summed at full precision, rounded once here (see figures.ts).
    energy_kwh: significant(g.energyKwh),
    co2eq_g: significant(g.co2eqG),
    equivalents: Object.fromEntries(Object.entries(g.equivalents).map(([k, v]) => [k, significant(v)])),
    sources: g.sources.map((s) => ({
      node: s.node,
      component: s.component,
      device: s.device,
      energy_kwh: significant(s.energyKwh),
      provenance: s.provenance,
      measured_by: s.measuredBy,
    })),
    duplicates: g.duplicates.map((d) => ({
      node: d.node,
      device: d.device,
      measured_by: d.measuredBy,
      energy_kwh: significant(d.energyKwh),
      file: d.file,
    })),
  };
}

/** Groups as CSV, one row per group. */
export function groupsToCsv(groups: readonly GroupTotal[], by: GroupBy): string {
  const header = [
    "by",
    "group",
    "jobs",
    "nodes",
    "users",
    "runs",
    "energy_kwh",
    "co2eq_g",
    "km_travelled_by_car",
    "measured_by",
    "duplicates_left_out",
  ];
  const rows = groups.map((g) => [
    by,
    g.key,
    g.jobs,
    g.nodes,
    g.users,
    g.runs,
    significant(g.energyKwh),
    significant(g.co2eqG),
    significant(g.equivalents["km travelled by car"] ?? null),
    measuredPhrases(g).join(" | "),
    g.duplicates.length,
  ]);
  return csvText([header, ...rows]);
}
