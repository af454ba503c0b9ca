// What the parser hands out: one ParsedRun per run, whichever file it came from (our JSONL, the
// original's text logs, a console capture), so the aggregate, tables and statement see one shape.
import type { Milliseconds } from "../../units/index.js";
import type { JobRecord, SampleRecord, SlurmIdentity } from "../schema.js";

/** Which kind of file a run was read from. */
export type RunSource = "jsonl" | "text" | "console";

/** Which figure of a run the aggregate counts. */
export type CountedBasis = "actual" | "predicted" | "epochs" | "none";

/** One consumption block ("Actual consumption for 3 epoch(s):" and its lines). */
export interface Consumption {
  /** Epochs the block says it covers; null for the CLI's "Actual consumption:" without a count. */
  epochs: number | null;
  /** Seconds (the block's `Time:`), null when unreadable. */
  durationS: number | null;
  /** kWh after PUE, as printed. */
  energyKwh: number;
  /** g CO2eq; null where the block says `nan` or nothing is known. */
  co2eqG: number | null;
  /** "This is equivalent to:" lines (`{"km travelled by car": 0.0012}`); null when absent. */
  equivalents: Record<string, number> | null;
}

/** The figure a run contributes to the aggregate, and why that one. */
export interface CountedConsumption extends Consumption {
  basis: CountedBasis;
  /** One sentence saying why this figure counts. */
  reason: string;
}

/** Per-epoch measurements of one component (the original's `parse_logs` entry). */
export interface ComponentMeasurements {
  /** Device names as the log lists them. */
  devices: string[];
  /** Average power per epoch, one value per logged device value (W); null where the log says None. */
  powerW: (number | null)[][];
  /** Energy per epoch and value (J) = power x duration, before PUE; null where power is unknown. */
  energyJ: (number | null)[][];
  /** Duration of each epoch (s). */
  epochDurationsS: number[];
  /** How the energy was obtained: counter, sampled, estimate, simulated, or unknown. */
  provenance: string;
}

/** Carbon intensity behind a run's CO2eq. */
export interface IntensityInfo {
  /** Mean intensity the log states (gCO2eq/kWh), null when it states none. */
  gPerKwh: number | null;
  /** Where it came from, in words ("default: world average 2019", "live: electricitymaps"). */
  source: string | null;
  location: string | null;
  /** Year of the data when known (defaults name it). */
  year: number | null;
}

/** Paths of the files a run was read from. */
export interface RunFilePaths {
  standard?: string;
  output?: string;
  err?: string;
  jsonl?: string;
  capture?: string;
}

/** One device's energy in one counted epoch (our JSONL only): what the cluster totals add up. */
export interface DeviceEpoch {
  component: string;
  device: string;
  /** The GPU's UUID where the run logged one: the same GPU under another local index. */
  uuid: string | null;
  /** Device energy, before PUE (J). */
  energyJ: number;
  /** This device's share of the epoch's CO2eq (g, PUE applied). */
  co2eqG: number;
  startMs: Milliseconds;
  endMs: Milliseconds;
  provenance: string;
}

/** Everything known about one run. */
export interface ParsedRun {
  /** `<prefix_><pid>.<id>_<YYYY-MM-DDTHHMMSSZ>` for log files; `<file>#<n>` for console captures. */
  runId: string;
  source: RunSource;
  files: RunFilePaths;
  /** carbontracker version that wrote the run, when logged. */
  version: string | null;
  host: string | null;
  pid: number | null;
  slurm: SlurmIdentity | null;
  /** File owner's user name (for `--by user`), when known. */
  owner: string | null;
  /** Start as ISO 8601: with `Z` from our JSONL; local time without zone from the original's logs. */
  start: string | null;
  pue: number | null;
  components: Record<string, ComponentMeasurements>;
  /** True when the run logged "Training was interrupted"; null when unknown (console captures). */
  earlyStop: boolean | null;
  actual: Consumption | null;
  pred: Consumption | null;
  /** Sum of the epochs logged in the standard log or JSONL (kWh after PUE), null when none. */
  measured: (Consumption & { epochs: number }) | null;
  counted: CountedConsumption;
  intensity: IntensityInfo;
  /** JSONL only: every power/energy sample. */
  samples: SampleRecord[];
  /** JSONL only: the command the run wrapped (or the script), as its start record names it. */
  command?: string[] | null;
  /** JSONL only: the `end` record's reason; null while there is none (still running, or killed). */
  endReason?: string | null;
  /** JSONL only: each device's energy in each counted epoch. */
  deviceEpochs: DeviceEpoch[];
  /** Things a reader of the figures should know, each naming what it is about. */
  warnings: string[];
}

/** Something wrong or notable about one input file. */
export interface ParseIssue {
  file: string;
  message: string;
  /** `error`: the path could not be read at all; `warning`: read, with something to know. */
  severity: "error" | "warning";
}

/** A node agent's record of a finished job, and the file it was read from. */
export interface AgentJob {
  file: string;
  record: JobRecord;
}

/** Runs found in a set of paths and what could not be used. */
export interface ParseResult {
  runs: ParsedRun[];
  /** Jobs measured by node agents (`carbontracker agent`): not runs, but energy of jobs. */
  agentJobs: AgentJob[];
  issues: ParseIssue[];
}

/** Totals over runs, as the original's `aggregate_consumption` returns them. */
export interface ConsumptionTotals {
  /** kWh after PUE. */
  energyKwh: number;
  /** g CO2eq (runs with unknown CO2eq add nothing). */
  co2eqG: number;
  equivalents: Record<string, number>;
  /** Runs that contributed. */
  runs: number;
}
