// A statement for papers (`--parse --statement`): the aggregate sentence with readable figures,
// then how each figure was obtained (method per component, intensity source and year, PUE, what
// was counted, tool versions and hardware), so a reader can judge it. Ready to paste.
import { aggregateSentence } from "../logs/parser/aggregate-sentence.js";
import { totalConsumption } from "../logs/parser/totals.js";
import type { ParsedRun } from "../logs/parser/types.js";
import { PROVENANCE_METHOD } from "../hardware/provenance.js";
import { formatDuration } from "../units/index.js";
import { formatFigure } from "./group-format.js";

const METHODS: Record<string, string> = { ...PROVENANCE_METHOD, unknown: "a method the logs do not state" };

const BASES: Record<string, string> = {
  actual: "the measured consumption",
  predicted:
    "the prediction for all epochs (monitoring covered fewer epochs than training, or no actual was logged)",
  epochs: "the epochs logged before the run ended without a final report",
  none: "nothing (no finished epoch)",
};

function runs(n: number): string {
  return `${n} run${n === 1 ? "" : "s"}`;
}

/** "a in 2 runs; b in 1 run" from counts, largest first. */
function tally(counts: Map<string, number>): string {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([what, n]) => `${what} in ${runs(n)}`)
    .join("; ");
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function methodOf(provenance: string): string {
  return provenance
    .split("+")
    .map((p) => METHODS[p] ?? p)
    .join(" and ");
}

function intensityOf(run: ParsedRun): string {
  const { source, location } = run.intensity;
  const year = run.intensity.year ?? (source && run.start ? Number(run.start.slice(0, 4)) : null);
  const where = location ? ` at ${location}` : "";
  return `${source ?? "source not logged"}${where}${year ? ` (${year})` : ""}`;
}

function toolOf(run: ParsedRun): string {
  if (!run.version) return "carbontracker (version not logged)";
  return `carbontracker ${run.version} (${run.source === "jsonl" ? "TypeScript" : "Python"})`;
}

/** The statement for the runs, as lines of text. */
export function formatStatement(all: readonly ParsedRun[]): string {
  const totals = totalConsumption(all);
  const lines = [aggregateSentence(totals, 3, formatFigure), ""];
  const counted = all.filter((r) => r.counted.basis !== "none");
  const starts = all
    .map((r) => r.start?.slice(0, 10))
    .filter((s): s is string => !!s)
    .sort();
  const seconds = counted.reduce((s, r) => s + (r.counted.durationS ?? 0), 0);
  const epochs = counted.reduce((s, r) => s + (r.counted.epochs ?? 0), 0);
  const span = starts.length > 0 ? ` between ${starts[0]} and ${starts.at(-1)}` : "";
  lines.push(
    `Method: ${runs(all.length)}${span}, ${formatDuration(seconds)} (h:mm:ss) of training and ${epochs} epoch${epochs === 1 ? "" : "s"} counted in all.`,
  );

  const methods = new Map<string, Map<string, number>>();
  const hardware = new Map<string, Set<string>>();
  for (const run of all) {
    for (const [name, component] of Object.entries(run.components)) {
      const m = methods.get(name) ?? new Map<string, number>();
      count(m, methodOf(component.provenance));
      methods.set(name, m);
      const h = hardware.get(name) ?? new Set<string>();
      for (const device of component.devices) h.add(device);
      hardware.set(name, h);
    }
  }
  for (const [name, m] of [...methods].sort()) {
    const devices = [...(hardware.get(name) ?? [])];
    lines.push(
      `${name.toUpperCase()}${devices.length ? ` (${devices.join(", ")})` : ""}: energy from ${tally(m)}.`,
    );
  }

  const sources = new Map<string, number>();
  for (const run of counted) count(sources, intensityOf(run));
  const known = totalConsumption(counted.filter((r) => r.counted.co2eqG !== null));
  const mean = known.energyKwh > 0 && known.co2eqG > 0 ? known.co2eqG / known.energyKwh : null;
  lines.push(
    `Carbon intensity: ${tally(sources) || "not logged"}${mean !== null ? `; ${mean.toFixed(1)} gCO2eq/kWh on average over the counted energy` : ""}.`,
  );
  const pues = new Map<string, number>();
  for (const run of counted) count(pues, run.pue === null ? "not logged" : String(run.pue));
  lines.push(`PUE (applied to every energy figure): ${tally(pues) || "not logged"}.`);
  const bases = new Map<string, number>();
  for (const run of all) count(bases, BASES[run.counted.basis] ?? run.counted.basis);
  lines.push(`Counted: ${tally(bases)}.`);
  const tools = new Map<string, number>();
  for (const run of all) count(tools, toolOf(run));
  lines.push(`Tools: ${tally(tools)}.`);
  const unknownCo2 = counted.filter((r) => r.counted.co2eqG === null).length;
  if (unknownCo2 > 0)
    lines.push(`CO2eq unknown (no carbon intensity logged) for ${runs(unknownCo2)}: not included.`);
  return `${lines.join("\n")}\n`;
}
