// Sums the runs of a job over its nodes and ranks with nothing counted twice: a device (a CPU
// package of one node, one GPU by UUID) measured by two runs over the same time is counted
// once, and an agent's record of a job counts only where no tracker of that job ran on the node.
import type { Component, Provenance } from "../hardware/types.js";
import type { EpochRecord, StartRecord } from "../logs/schema.js";
import type { AgentJobRecord } from "./agent/job-record.js";
import type { JsonlRun } from "./jsonl-runs.js";

/** What to group totals by. */
export type GroupBy = "job" | "node" | "user";

/** One device's energy counted in a group, and who measured it. */
export interface CountedDevice {
  node: string;
  component: Component;
  device: string;
  energyJ: number;
  provenance: Provenance;
  /** `rank 2 (pid 4242)`, `pid 4242` or `agent`. */
  measuredBy: string;
}

/** A measurement left out because the same device over the same time was already counted. */
export interface DroppedDuplicate {
  node: string;
  device: string;
  measuredBy: string;
  energyJ: number;
  file: string;
}

/** Totals of one group (J before PUE, g after PUE). */
export interface GroupTotal {
  key: string;
  jobs: string[];
  nodes: string[];
  users: string[];
  /** Runs (JSONL files or agent records) that contributed. */
  runs: number;
  energyJ: number;
  energyJByComponent: Partial<Record<Component, number>>;
  co2eqG: number;
  /** From the first measured instant to the last (s). */
  wallS: number;
  devices: CountedDevice[];
  duplicates: DroppedDuplicate[];
}

interface Contribution {
  job: string;
  node: string;
  user: string;
  component: Component;
  device: string;
  /** Identity of the physical device: same key + overlapping time = same energy. */
  deviceKey: string;
  energyJ: number;
  co2eqG: number;
  startMs: number;
  endMs: number;
  provenance: Provenance;
  measuredBy: string;
  run: number;
  file: string;
  agent: boolean;
}

const NO_JOB = "-";

function measuredBy(start: StartRecord): string {
  const rank = start.slurm?.rank;
  return rank !== undefined ? `rank ${rank} (pid ${start.pid})` : `pid ${start.pid}`;
}

function trackerContributions(run: JsonlRun, index: number): Contribution[] {
  const start = run.records.find((r): r is StartRecord => r.type === "start");
  if (!start) return [];
  const job = start.slurm?.job_id ?? NO_JOB;
  const node = start.slurm?.node ?? start.host;
  const user = start.slurm?.user ?? "-";
  const uuids = new Map(
    start.devices.map((d) => [d.device, typeof d.uuid === "string" ? d.uuid : undefined]),
  );
  const out: Contribution[] = [];
  for (const epoch of run.records.filter((r): r is EpochRecord => r.type === "epoch" && r.partial !== true)) {
    for (const d of epoch.devices) {
      const uuid = uuids.get(d.device);
      out.push({
        job,
        node,
        user,
        component: d.component,
        device: d.device,
        // CPU packages and DRAM are the node's; a GPU is itself wherever it is named (local indices differ per rank).
        deviceKey:
          d.component === "gpu"
            ? uuid
              ? `gpu ${uuid}`
              : `gpu ${d.device} of run ${index}`
            : `${node} ${d.device}`,
        energyJ: d.energy_j,
        co2eqG: epoch.energy_j > 0 ? (epoch.co2eq_g * d.energy_j) / epoch.energy_j : 0,
        startMs: epoch.start_t,
        endMs: epoch.end_t,
        provenance: d.provenance,
        measuredBy: measuredBy(start),
        run: index,
        file: run.file,
        agent: false,
      });
    }
  }
  return out;
}

function agentContributions(record: AgentJobRecord, index: number, file: string): Contribution[] {
  return record.devices.map((d) => ({
    job: record.job_id,
    node: record.node,
    user: record.user ?? "-",
    component: d.component,
    device: d.device,
    deviceKey: `agent ${record.node} ${record.job_id} ${d.component} ${d.device}`,
    energyJ: d.energy_j,
    co2eqG: record.energy_j > 0 ? (record.co2eq_g * d.energy_j) / record.energy_j : 0,
    startMs: record.start_t,
    endMs: record.end_t,
    provenance: d.provenance,
    measuredBy: "agent",
    run: index,
    file,
    agent: true,
  }));
}

/** Drops contributions measuring a device already counted over an overlapping time. */
function dedupe(all: Contribution[]): { kept: Contribution[]; dropped: Contribution[] } {
  const counted = new Map<string, Contribution[]>();
  const kept: Contribution[] = [];
  const dropped: Contribution[] = [];
  for (const c of [...all].sort((a, b) => a.startMs - b.startMs || a.run - b.run)) {
    const same = counted.get(c.deviceKey) ?? [];
    if (same.some((o) => o.run !== c.run && c.startMs < o.endMs && o.startMs < c.endMs)) {
      dropped.push(c);
      continue;
    }
    same.push(c);
    counted.set(c.deviceKey, same);
    kept.push(c);
  }
  return { kept, dropped };
}

/**
 * Totals per job, node or user over tracker JSONL runs and agent `job` records. Within a job
 * every rank's GPUs and the elected rank's CPU/DRAM add up; a duplicate measurement is dropped
 * and listed in `duplicates`. Groups are sorted by key.
 */
export function mergeRuns(runs: readonly JsonlRun[], by: GroupBy = "job"): GroupTotal[] {
  const tracker: Contribution[] = [];
  const agent: Contribution[] = [];
  let index = 0;
  for (const run of runs) {
    tracker.push(...trackerContributions(run, index++));
    for (const record of run.records) {
      if ((record as { type: string }).type === "job")
        agent.push(...agentContributions(record as AgentJobRecord, index++, run.file));
    }
  }
  const trackedJobNodes = new Set(tracker.filter((c) => c.job !== NO_JOB).map((c) => `${c.job} ${c.node}`));
  const usable = [...tracker, ...agent.filter((c) => !trackedJobNodes.has(`${c.job} ${c.node}`))];
  const { kept, dropped } = dedupe(usable);
  const groups = new Map<string, GroupTotal>();
  const runsOf = new Map<string, Set<number>>();
  const span = new Map<string, [number, number]>();
  const group = (c: Contribution): GroupTotal => {
    const key = by === "job" ? c.job : by === "node" ? c.node : c.user;
    let total = groups.get(key);
    if (!total) {
      total = {
        key,
        jobs: [],
        nodes: [],
        users: [],
        runs: 0,
        energyJ: 0,
        energyJByComponent: {},
        co2eqG: 0,
        wallS: 0,
        devices: [],
        duplicates: [],
      };
      groups.set(key, total);
      runsOf.set(key, new Set());
    }
    for (const [list, value] of [
      [total.jobs, c.job],
      [total.nodes, c.node],
      [total.users, c.user],
    ] as const) {
      if (!list.includes(value)) list.push(value);
    }
    runsOf.get(key)!.add(c.run);
    const [first, last] = span.get(key) ?? [c.startMs, c.endMs];
    span.set(key, [Math.min(first, c.startMs), Math.max(last, c.endMs)]);
    return total;
  };
  for (const c of kept) {
    const total = group(c);
    total.energyJ += c.energyJ;
    total.co2eqG += c.co2eqG;
    total.energyJByComponent[c.component] = (total.energyJByComponent[c.component] ?? 0) + c.energyJ;
    const same = total.devices.find(
      (d) => d.node === c.node && d.device === c.device && d.measuredBy === c.measuredBy,
    );
    if (same) same.energyJ += c.energyJ;
    else
      total.devices.push({
        node: c.node,
        component: c.component,
        device: c.device,
        energyJ: c.energyJ,
        provenance: c.provenance,
        measuredBy: c.measuredBy,
      });
  }
  for (const c of dropped) {
    group(c).duplicates.push({
      node: c.node,
      device: c.device,
      measuredBy: c.measuredBy,
      energyJ: c.energyJ,
      file: c.file,
    });
  }
  for (const [key, total] of groups) {
    total.runs = runsOf.get(key)!.size;
    const [first, last] = span.get(key)!;
    total.wallS = Math.max(0, last - first) / 1000;
    for (const list of [total.jobs, total.nodes, total.users]) list.sort();
  }
  return [...groups.values()].sort((a, b) => a.key.localeCompare(b.key, "en", { numeric: true }));
}
