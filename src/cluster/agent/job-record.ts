// The agent's record of one finished SLURM job on one node, a line in its JSONL beside the
// tracker's records, so the same parser and `--by job` read both.
import type { JobRecord } from "../../logs/schema.js";

/** How the job's processes were found. */
export type AttributionSource = JobRecord["attribution"];

/** `type: "job"`: one finished job's share of one node's energy (J before PUE, g after PUE). */
export type AgentJobRecord = JobRecord;
