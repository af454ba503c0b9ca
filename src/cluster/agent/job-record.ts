// The agent's record of one finished SLURM job on one node, a line in its JSONL beside the
// tracker's records, so the same parser and `--by job` read both.
import type { Component, Provenance } from "../../hardware/types.js";

/** How the job's processes were found. */
export type AttributionSource = "cgroup-v2" | "cgroup-v1" | "listpids";

/** `type: "job"`: one finished job's share of one node's energy (J before PUE, g after PUE). */
export interface AgentJobRecord {
  type: "job";
  /** Unix ms when written. */
  t: number;
  job_id: string;
  user: string | undefined;
  node: string;
  /** First and last time the agent saw the job (Unix ms). */
  start_t: number;
  end_t: number;
  duration_s: number;
  /** CPU time of the job's processes while seen (s). */
  cpu_time_s: number;
  /** All devices, before PUE (J). */
  energy_j: number;
  energy_j_by_component: Partial<Record<Component, number>>;
  devices: {
    component: Component;
    device: string;
    energy_j: number;
    provenance: Provenance;
    share: string;
  }[];
  /** After PUE (g). */
  co2eq_g: number;
  g_per_kwh: number;
  pue: number;
  attribution: AttributionSource;
  gpus: string[];
}
