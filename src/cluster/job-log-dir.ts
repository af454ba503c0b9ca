// The CLI's default log folder groups a job's runs (every rank, every node when the folder is
// shared) so `--parse DIR --by job` finds them together.
import { join } from "node:path";

/** `<logDir>/slurm-<jobid>` inside a SLURM job (array tasks: `slurm-<array>_<task>`), else `logDir`. */
export function jobLogDir(logDir: string, env: Record<string, string | undefined>): string {
  const arrayJob = env.SLURM_ARRAY_JOB_ID;
  const arrayTask = env.SLURM_ARRAY_TASK_ID;
  const jobId = env.SLURM_JOB_ID ?? env.SLURM_JOBID;
  if (arrayJob && arrayTask) return join(logDir, `slurm-${arrayJob}_${arrayTask}`);
  return jobId ? join(logDir, `slurm-${jobId}`) : logDir;
}
