// One interval's node energy split over the running jobs: a CPU device's energy by each job's
// share of the node's busy CPU time, a GPU's energy among the jobs it is assigned to. What no
// job gets (other processes, unassigned GPUs) stays unattributed, so the parts always add up.
import type { Component } from "../../hardware/types.js";

/** One device's energy over the interval (J). */
export interface DeviceDelta {
  component: Component;
  device: string;
  energyJ: number;
  /** Global GPU id (SLURM's numbering, NVML's PCI order) for GPUs. */
  gpuId?: string;
}

/** One job's CPU time over the interval (s) and its GPUs. */
export interface JobDelta {
  jobId: string;
  cpuS: number;
  gpus: readonly string[];
}

/** A job's energy per device over the interval (J). */
type JobShares = Map<string, Map<string, number>>;

/** The split of one interval. */
export interface Attribution {
  jobs: JobShares;
  /** Per device, the energy no job was given (J). */
  unattributed: Map<string, number>;
}

/**
 * Splits one interval. `nodeBusyS` is the node's busy CPU time over it (all CPUs, s); when the
 * jobs' own CPU times add up to more (clock skew between the counters), they are the denominator.
 */
export function attributeInterval(
  devices: readonly DeviceDelta[],
  jobs: readonly JobDelta[],
  nodeBusyS: number,
): Attribution {
  const result: Attribution = { jobs: new Map(), unattributed: new Map() };
  const give = (jobId: string, device: string, joules: number): void => {
    let shares = result.jobs.get(jobId);
    if (!shares) result.jobs.set(jobId, (shares = new Map()));
    shares.set(device, (shares.get(device) ?? 0) + joules);
  };
  const jobCpuS = jobs.reduce((sum, j) => sum + Math.max(0, j.cpuS), 0);
  const busyS = Math.max(nodeBusyS, jobCpuS);
  for (const d of devices) {
    let given = 0;
    if (d.component === "cpu") {
      if (busyS > 0) {
        for (const job of jobs) {
          const joules = (d.energyJ * Math.max(0, job.cpuS)) / busyS;
          give(job.jobId, d.device, joules);
          given += joules;
        }
      }
    } else {
      const holders = d.gpuId === undefined ? [] : jobs.filter((j) => j.gpus.includes(d.gpuId as string));
      for (const job of holders) {
        give(job.jobId, d.device, d.energyJ / holders.length);
        given += d.energyJ / holders.length;
      }
    }
    result.unattributed.set(d.device, d.energyJ - given);
  }
  return result;
}

/**
 * The jobs an interval is split over: each job's CPU time from the look at its end (`now`), its
 * GPUs from the look at its start (`atStart`). A GPU's interval goes to the jobs that held it
 * when it began, so the agent can read a dear GPU counter only when a GPU's holders change
 * (gpuHolders): every interval since the last read went to the same jobs, and what the counter
 * moved is theirs exactly, however sampled power spread it over the ticks. A job gone at the end
 * still gets its GPUs' last interval; a job new at the end gets its GPUs from the next one.
 */
export function intervalJobs(now: readonly JobDelta[], atStart: readonly JobDelta[]): JobDelta[] {
  const jobs = new Map<string, JobDelta>();
  for (const job of now) jobs.set(job.jobId, { jobId: job.jobId, cpuS: job.cpuS, gpus: [] });
  for (const job of atStart) {
    const seen = jobs.get(job.jobId);
    if (seen) seen.gpus = job.gpus;
    else jobs.set(job.jobId, { jobId: job.jobId, cpuS: 0, gpus: job.gpus });
  }
  return [...jobs.values()];
}

/** Which job holds which GPU, as one comparable text. */
export function gpuHolders(jobs: readonly JobDelta[]): string {
  return jobs
    .flatMap((job) => job.gpus.map((gpu) => `${gpu}=${job.jobId}`))
    .sort()
    .join(",");
}
