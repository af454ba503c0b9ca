// The JSONL record: one schema shared by the writer and the parser (DESIGN.md "Logs"). Core
// fields are fixed; extra fields may sit beside them. Times are Unix epoch ms.
import type { Component, Provenance } from "../hardware/types.js";

/** Fields on every record. */
interface RecordBase {
  /** Unix ms when the record was made. */
  t: number;
}

/** One device as listed in `start`. */
export interface DeviceEntry {
  component: Component;
  device: string;
  name: string;
  provenance: Provenance;
  [extra: string]: unknown;
}

/** SLURM identity of the run, when inside a job. */
export interface SlurmIdentity {
  job_id?: string;
  step_id?: string;
  node?: string;
  rank?: string;
  local_id?: string;
  user?: string;
  [extra: string]: unknown;
}

export interface StartRecord extends RecordBase {
  type: "start";
  version: string;
  host: string;
  pid: number;
  pue: number;
  options: Record<string, unknown>;
  devices: DeviceEntry[];
  slurm?: SlurmIdentity;
  [extra: string]: unknown;
}

export interface SampleRecord extends RecordBase {
  type: "sample";
  component: Component;
  device: string;
  power_w: number | null;
  energy_j: number;
  provenance: Provenance;
}

export interface IntensityRecord extends RecordBase {
  type: "intensity";
  g_per_kwh: number;
  source: string;
  location: string;
  forecast: boolean;
  valid_from: number;
  valid_to: number | null;
  [extra: string]: unknown;
}

/** One device's share of an epoch. */
export interface EpochDeviceEntry {
  component: Component;
  device: string;
  energy_j: number;
  provenance: Provenance;
  [extra: string]: unknown;
}

export interface EpochRecord extends RecordBase {
  type: "epoch";
  epoch: number;
  start_t: number;
  end_t: number;
  duration_s: number;
  /** All devices, before PUE. */
  energy_j: number;
  devices: EpochDeviceEntry[];
  /** After PUE. */
  co2eq_g: number;
  [extra: string]: unknown;
}

export interface PredictionRecord extends RecordBase {
  type: "prediction";
  epochs: number;
  duration_s: number;
  energy_kwh: number;
  co2eq_g: number;
  g_per_kwh: number;
  range: { energy_kwh: [number, number]; co2eq_g: [number, number]; duration_s: [number, number] } | null;
  [extra: string]: unknown;
}

export interface ActualRecord extends RecordBase {
  type: "actual";
  epochs: number;
  duration_s: number;
  energy_kwh: number;
  co2eq_g: number;
  g_per_kwh: number;
  interrupted: boolean;
  [extra: string]: unknown;
}

export interface EndRecord extends RecordBase {
  type: "end";
  reason: "finished" | "stopped" | "signal" | "error";
  [extra: string]: unknown;
}

/**
 * The node agent's record of one finished SLURM job on one node (`type: "job"`), a line in the
 * agent's JSONL, read by the same parser as the tracker's records.
 */
export interface JobRecord extends RecordBase {
  type: "job";
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
    /** How the job's share was found: `cpu time` or `gpu assignment`. */
    share: string;
  }[];
  /** After PUE (g). */
  co2eq_g: number;
  g_per_kwh: number;
  pue: number;
  /** How the job's processes were found. */
  attribution: "cgroup-v2" | "cgroup-v1" | "listpids";
  gpus: string[];
}

/** Any JSONL record of a tracker run. */
export type TrackerRecord =
  StartRecord | SampleRecord | IntensityRecord | EpochRecord | PredictionRecord | ActualRecord | EndRecord;

/** Where records go as the run goes (JSONL file, Prometheus, a test). */
export interface RecordSink {
  write(record: TrackerRecord): void;
  close?(): void;
}
