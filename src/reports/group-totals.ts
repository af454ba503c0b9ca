// Totals per SLURM job, node or user (`--parse --by`, the dashboard), with nothing counted twice:
// every run's counted figure, our JSONL runs device by device (a CPU package of one node, a GPU
// by its UUID: one measurement of the same device over the same time counts once), and node
// agents' job records where no tracker of that job ran on that node. Per group it says which
// source measured which device.
import type { AgentJob, ParsedRun } from "../logs/parser/types.js";
import { CAR_GRAMS_PER_KM } from "../logs/format.js";
import { facilityKwh } from "../units/index.js";

/** What `--by` groups by. */
export type GroupBy = "job" | "node" | "user";

/** One device (or a whole run without device figures) counted in a group, and who measured it. */
interface CountedSource {
  node: string;
  component: string;
  device: string;
  /** kWh after PUE. */
  energyKwh: number;
  provenance: string;
  /** `rank 2 (pid 4242)`, `pid 4242`, `agent` or the run's log (`text log <run id>`). */
  measuredBy: string;
}

/** A measurement left out because the same device over the same time was already counted. */
interface DroppedDuplicate {
  node: string;
  device: string;
  measuredBy: string;
  /** kWh after PUE. */
  energyKwh: number;
  file: string;
}

/** One group's totals. */
export interface GroupTotal {
  key: string;
  jobs: string[];
  nodes: string[];
  users: string[];
  /** Runs and agent job records that contributed. */
  runs: number;
  /** kWh after PUE. */
  energyKwh: number;
  /** g CO2eq (PUE applied). */
  co2eqG: number;
  equivalents: Record<string, number>;
  sources: CountedSource[];
  duplicates: DroppedDuplicate[];
}

/** One measurement to be added: a device over a time window, or a whole run. */
interface Contribution {
  job: string;
  node: string;
  user: string;
  component: string;
  device: string;
  /** Identity of the physical device: same key + overlapping time = same energy. */
  deviceKey: string;
  energyKwh: number;
  co2eqG: number;
  startMs: number;
  endMs: number;
  provenance: string;
  measuredBy: string;
  /** Which run or agent record it came from (a run never duplicates itself). */
  origin: number;
  file: string;
}

const NO_JOB = "no SLURM job";
const UNKNOWN_NODE = "unknown node";
const UNKNOWN_USER = "unknown user";
const UNKNOWN = new Set([NO_JOB, UNKNOWN_NODE, UNKNOWN_USER]);
const naturally = new Intl.Collator("en", { numeric: true });

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/** The job, node and user a run belongs to, from what its logs say. */
export function runIdentity(run: ParsedRun): { job: string; node: string; user: string } {
  return {
    job: text(run.slurm?.job_id) ?? NO_JOB,
    node: text(run.slurm?.node) ?? run.host ?? UNKNOWN_NODE,
    user: text(run.slurm?.user) ?? run.owner ?? UNKNOWN_USER,
  };
}

function fileOf(run: ParsedRun): string {
  const f = run.files;
  return f.jsonl ?? f.standard ?? f.output ?? f.capture ?? run.runId;
}

function measuredBy(run: ParsedRun): string {
  if (run.source !== "jsonl") return `${run.source === "text" ? "text log" : "console capture"} ${run.runId}`;
  const rank = text(run.slurm?.rank);
  return rank !== null ? `rank ${rank} (pid ${run.pid})` : `pid ${run.pid}`;
}

function runContributions(run: ParsedRun, origin: number): Contribution[] {
  const who = runIdentity(run);
  const c = run.counted;
  const base = { ...who, measuredBy: measuredBy(run), origin, file: fileOf(run) };
  const byDevice = run.source === "jsonl" && (c.basis === "actual" || c.basis === "epochs");
  if (byDevice && run.deviceEpochs.length > 0) {
    const pue = run.pue ?? 1;
    return run.deviceEpochs.map((d) => ({
      ...base,
      component: d.component,
      device: d.device,
      // CPU packages and DRAM are the node's; a GPU is itself wherever it is named (local indices differ per rank).
      deviceKey:
        d.component === "gpu"
          ? d.uuid
            ? `gpu ${d.uuid}`
            : `gpu ${d.device} of run ${origin}`
          : `${who.node} ${d.device}`,
      energyKwh: facilityKwh(d.energyJ, pue),
      co2eqG: d.co2eqG,
      startMs: d.startMs,
      endMs: d.endMs,
      provenance: d.provenance,
    }));
  }
  if (c.basis === "none" || !Number.isFinite(c.energyKwh)) return [];
  const components = Object.keys(run.components);
  return [
    {
      ...base,
      component: components.join("+") || "all",
      device: "all devices",
      deviceKey: `run ${origin}`,
      energyKwh: c.energyKwh,
      co2eqG: c.co2eqG !== null && Number.isFinite(c.co2eqG) ? c.co2eqG : 0,
      startMs: 0,
      endMs: 0,
      provenance: components.map((k) => run.components[k]?.provenance ?? "unknown").join("+") || "unknown",
    },
  ];
}

function agentContributions(job: AgentJob, origin: number): Contribution[] {
  const r = job.record;
  return r.devices.map((d) => ({
    job: r.job_id,
    node: r.node,
    user: r.user ?? UNKNOWN_USER,
    component: d.component,
    device: d.device,
    deviceKey: `agent ${r.node} ${r.job_id} ${d.component} ${d.device}`,
    energyKwh: facilityKwh(d.energy_j, r.pue),
    co2eqG: r.energy_j > 0 ? (r.co2eq_g * d.energy_j) / r.energy_j : 0,
    startMs: r.start_t,
    endMs: r.end_t,
    provenance: d.provenance,
    measuredBy: "agent",
    origin,
    file: job.file,
  }));
}

/**
 * Splits measurements into those counted and those of a device already counted, by another run,
 * over an overlapping time (two ranks both measuring one node's CPU).
 */
export function dropRepeatedMeasurements<
  C extends Pick<Contribution, "deviceKey" | "startMs" | "endMs" | "origin">,
>(all: readonly C[]): { kept: C[]; dropped: C[] } {
  // Sorted by start, a contribution overlaps an earlier kept one exactly when it starts before
  // that one's end; so each device needs only the latest end among kept contributions of other
  // origins: the latest end overall (with its origin) and the latest end of any other origin.
  const ends = new Map<string, { end: number; origin: number; otherEnd: number }>();
  const kept: C[] = [];
  const dropped: C[] = [];
  for (const c of [...all].sort((a, b) => a.startMs - b.startMs || a.origin - b.origin)) {
    const seen = ends.get(c.deviceKey);
    const otherEnd = seen === undefined ? -Infinity : seen.origin === c.origin ? seen.otherEnd : seen.end;
    if (c.endMs > c.startMs && c.startMs < otherEnd) {
      dropped.push(c);
      continue;
    }
    kept.push(c);
    if (seen === undefined) ends.set(c.deviceKey, { end: c.endMs, origin: c.origin, otherEnd: -Infinity });
    else if (seen.origin === c.origin) seen.end = Math.max(seen.end, c.endMs);
    else if (c.endMs > seen.end)
      ends.set(c.deviceKey, { end: c.endMs, origin: c.origin, otherEnd: seen.end });
    else seen.otherEnd = Math.max(seen.otherEnd, c.endMs);
  }
  return { kept, dropped };
}

function emptyGroup(key: string): GroupTotal {
  return {
    key,
    jobs: [],
    nodes: [],
    users: [],
    runs: 0,
    energyKwh: 0,
    co2eqG: 0,
    equivalents: {},
    sources: [],
    duplicates: [],
  };
}

/**
 * Totals per job, node or user over parsed runs and agent job records. Groups are sorted
 * naturally (job 99 before job 100), runs that name no group last.
 */
export function groupTotals(
  runs: readonly ParsedRun[],
  agentJobs: readonly AgentJob[],
  by: GroupBy,
): GroupTotal[] {
  const tracker = runs.flatMap((run, i) => runContributions(run, i));
  const trackedJobNodes = new Set(tracker.filter((c) => c.job !== NO_JOB).map((c) => `${c.job} ${c.node}`));
  const agent = agentJobs
    .flatMap((job, i) => agentContributions(job, runs.length + i))
    .filter((c) => !trackedJobNodes.has(`${c.job} ${c.node}`));
  const { kept, dropped } = dropRepeatedMeasurements([...tracker, ...agent]);
  const groups = new Map<string, GroupTotal>();
  const origins = new Map<string, Set<number>>();
  // A run (or agent record) has one job, node and user: its group is found once, then remembered.
  const totalOf = new Map<number, GroupTotal>();
  const group = (c: { job: string; node: string; user: string; origin: number }): GroupTotal => {
    const known = totalOf.get(c.origin);
    if (known) return known;
    const key = by === "job" ? c.job : by === "node" ? c.node : c.user;
    const total = groups.get(key) ?? emptyGroup(key);
    groups.set(key, total);
    for (const [list, value] of [
      [total.jobs, c.job],
      [total.nodes, c.node],
      [total.users, c.user],
    ] as const) {
      if (!list.includes(value)) list.push(value);
    }
    origins.set(key, (origins.get(key) ?? new Set()).add(c.origin));
    totalOf.set(c.origin, total);
    return total;
  };
  // Every run belongs to its group, also one with nothing to count (it stays visible).
  runs.forEach((run, origin) => group({ ...runIdentity(run), origin }));
  // Added in the runs' own order, so a group of whole runs sums exactly as the ungrouped total.
  // One source per group, node, device and measurer: found by key, not by searching the list.
  const sources = new Map<string, CountedSource>();
  for (const c of [...kept].sort((a, b) => a.origin - b.origin)) {
    const total = group(c);
    total.energyKwh += c.energyKwh;
    total.co2eqG += c.co2eqG;
    const key = `${total.key}\u0000${c.node}\u0000${c.device}\u0000${c.measuredBy}`;
    const same = sources.get(key);
    if (same) same.energyKwh += c.energyKwh;
    else {
      const { node, component, device, energyKwh, provenance } = c;
      const source = { node, component, device, energyKwh, provenance, measuredBy: c.measuredBy };
      sources.set(key, source);
      total.sources.push(source);
    }
  }
  for (const c of dropped) {
    const { node, device, measuredBy, energyKwh, file } = c;
    group(c).duplicates.push({ node, device, measuredBy, energyKwh, file });
  }
  for (const [key, total] of groups) {
    total.runs = origins.get(key)?.size ?? 0;
    total.equivalents = { "km travelled by car": total.co2eqG / CAR_GRAMS_PER_KM };
    for (const list of [total.jobs, total.nodes, total.users]) list.sort(naturally.compare);
  }
  return [...groups.values()].sort(
    (a, b) => Number(UNKNOWN.has(a.key)) - Number(UNKNOWN.has(b.key)) || naturally.compare(a.key, b.key),
  );
}
