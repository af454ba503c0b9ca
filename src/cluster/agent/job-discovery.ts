// Finds the SLURM jobs running on this node: from their cgroups where SLURM uses them (v2, then
// v1), else from `scontrol listpids`. Says which, since attribution is only as good as this.
import { readFileSync } from "node:fs";
import { cgroupV1Jobs, cgroupV2Jobs, JobFactsCache, jobFacts, type JobSighting } from "./cgroup-jobs.js";
import { runListpids } from "./listpids.js";
import { PidCpuAccumulator } from "./pid-cpu-accumulator.js";

/** Where to look; every path and command can be redirected (tests, containers). */
export interface DiscoveryOptions {
  /** Default /sys/fs/cgroup (CARBONTRACKER_CGROUP_ROOT). */
  cgroupRoot: string;
  /** Default /proc (CARBONTRACKER_PROC_ROOT). */
  procRoot: string;
  /** Default `scontrol` (CARBONTRACKER_SCONTROL). */
  scontrol: string;
  /** /etc/passwd for v1 `uid_N` folders. */
  passwdPath?: string;
}

function uidNames(passwdPath: string): (uid: string) => string | undefined {
  let names: Map<string, string> | undefined;
  return (uid) => {
    if (!names) {
      names = new Map();
      try {
        for (const line of readFileSync(passwdPath, "utf8").split("\n")) {
          const f = line.split(":");
          if (f.length > 2) names.set(f[2]!, f[0]!);
        }
      } catch {
        // No passwd: users stay numeric.
      }
    }
    return names.get(uid) ?? `uid ${uid}`;
  };
}

/** Lists the running jobs of this node at each call. */
export class JobDiscovery {
  private readonly accumulator: PidCpuAccumulator;
  private readonly uidName: (uid: string) => string | undefined;
  private readonly facts = new JobFactsCache();

  constructor(private readonly options: DiscoveryOptions) {
    this.accumulator = new PidCpuAccumulator(options.procRoot);
    this.uidName = uidNames(options.passwdPath ?? "/etc/passwd");
  }

  /** The jobs running now, each with its cumulative CPU time on this node (s). */
  async jobs(): Promise<(JobSighting & { cpuS: number })[]> {
    const o = this.options;
    const fromCgroups =
      cgroupV2Jobs(o.cgroupRoot, o.procRoot, this.facts) ??
      cgroupV1Jobs(o.cgroupRoot, o.procRoot, this.uidName, this.facts);
    if (fromCgroups) {
      return fromCgroups.map((job) => ({
        ...job,
        cpuS: job.cpuS ?? this.accumulator.update(job.jobId, job.pids),
      }));
    }
    const rows = await runListpids(o.scontrol);
    const byJob = new Map<string, number[]>();
    for (const row of rows) byJob.set(row.jobId, [...(byJob.get(row.jobId) ?? []), row.pid]);
    return [...byJob].map(([jobId, pids]) => {
      const facts = jobFacts(o.procRoot, pids);
      return {
        jobId,
        pids,
        source: "listpids" as const,
        ...(facts.user ? { user: facts.user } : {}),
        gpus: facts.gpus,
        cpuS: this.accumulator.update(jobId, pids),
      };
    });
  }

  /** Forgets a finished job's remembered processes. */
  forget(jobId: string): void {
    this.accumulator.forget(jobId);
  }
}
