// Who we are inside a SLURM job (job, step, node, rank), for every record of the run.
import type { SlurmIdentity } from "../logs/schema.js";

/** The SLURM identity from the environment, or undefined outside a job. */
export function slurmIdentity(env: Record<string, string | undefined>): SlurmIdentity | undefined {
  const jobId = env.SLURM_JOB_ID ?? env.SLURM_JOBID;
  if (!jobId) return undefined;
  const identity: SlurmIdentity = {
    job_id: jobId,
    step_id: env.SLURM_STEP_ID ?? env.SLURM_STEPID,
    node: env.SLURMD_NODENAME ?? env.SLURM_NODENAME,
    rank: env.SLURM_PROCID,
    local_id: env.SLURM_LOCALID,
    user: env.SLURM_JOB_USER ?? env.USER,
  };
  for (const key of Object.keys(identity)) if (identity[key] === undefined) delete identity[key];
  return identity;
}
