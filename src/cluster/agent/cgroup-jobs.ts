// SLURM's job cgroups (reference/slurm.md 10.2): v2 `system.slice/[<node>_]slurmstepd.scope/
// <job_N|SLUID>/step_*/...`, v1 `cpuacct/slurm[_<node>]/uid_<uid>/job_N/...`. A job's CPU time
// comes from its cgroup (exited processes included); its pids give its environment, read when a
// job or one of its steps is new (JobFactsCache), not at every look.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { AttributionSource } from "./job-record.js";
import { processEnv } from "./proc-files.js";

/** A running job as seen at one instant. */
export interface JobSighting {
  jobId: string;
  /** Cumulative CPU time of the job on this node (s), where the cgroup counts it. */
  cpuS?: number;
  /**
   * Its processes, where this look listed them: always where the cgroup does not count the
   * job's CPU time (it is then summed over them), else only when its facts were read again.
   */
  pids: number[];
  source: AttributionSource;
  user?: string;
  /** Global GPU ids given to the job (SLURM_STEP_GPUS / SLURM_JOB_GPUS of its processes). */
  gpus: string[];
}

/** The sub-folders of `path`, sorted; by the entries' types, with a stat where the file system gives none. */
const dirs = (path: string): string[] => {
  try {
    return readdirSync(path, { withFileTypes: true })
      .filter((entry) => {
        if (entry.isDirectory()) return true;
        if (entry.isFile() || entry.isSymbolicLink() || entry.isFIFO() || entry.isSocket()) return false;
        try {
          return statSync(join(path, entry.name)).isDirectory();
        } catch {
          return false;
        }
      })
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
};

const text = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
};

/** Every pid in a cgroup and its descendants (cgroup.procs, or v1 `tasks`). */
function cgroupPids(path: string): number[] {
  const own = (text(join(path, "cgroup.procs")) ?? text(join(path, "tasks")) ?? "")
    .split("\n")
    .filter((l) => /^\d+$/.test(l.trim()))
    .map(Number);
  return [...new Set([...own, ...dirs(path).flatMap((d) => cgroupPids(join(path, d)))])];
}

/** What a job's processes say about it: user and global GPU ids; the job id for SLUID folders. */
export interface JobFacts {
  jobId?: string;
  user?: string;
  gpus: string[];
}

/** The facts of a job's processes, and how many of them could be read. */
function readFacts(procRoot: string, pids: readonly number[]): { facts: JobFacts; read: number } {
  const gpus = new Set<string>();
  let jobId: string | undefined;
  let user: string | undefined;
  let read = 0;
  for (const pid of pids) {
    const env = processEnv(procRoot, pid);
    if (!env) continue;
    read += 1;
    jobId ??= env.SLURM_JOB_ID ?? env.SLURM_JOBID;
    user ??= env.SLURM_JOB_USER;
    const ids = env.SLURM_STEP_GPUS ?? env.SLURM_JOB_GPUS;
    for (const id of (ids ?? "").split(",")) if (id.trim()) gpus.add(id.trim());
  }
  return { facts: { jobId, user, gpus: [...gpus].sort((a, b) => Number(a) - Number(b)) }, read };
}

/** What a job's processes say about it (see JobFacts). */
export function jobFacts(procRoot: string, pids: readonly number[]): JobFacts {
  return readFacts(procRoot, pids).facts;
}

/**
 * Each job cgroup's facts, kept from one look to the next. A job's processes are listed and
 * their environments read again only when its step folders change (a step began or ended, with
 * its own GPUs) or none of its processes could be read yet (a step not started): a big job has
 * hundreds of processes, whose environments never change, and the agent looks every few seconds.
 */
export class JobFactsCache {
  private readonly kept = new Map<string, { steps: string; facts: JobFacts }>();
  private readonly looked = new Set<string>();

  /** The facts of the job whose cgroup is `path`, and its pids where listed (always with `needPids`). */
  look(path: string, procRoot: string, needPids: boolean): { facts: JobFacts; pids: number[] } {
    this.looked.add(path);
    const steps = dirs(path).join("/");
    const kept = this.kept.get(path);
    const current = kept?.steps === steps ? kept : undefined;
    if (current && !needPids) return { facts: current.facts, pids: [] };
    const pids = cgroupPids(path);
    if (current) return { facts: current.facts, pids };
    const { facts, read } = readFacts(procRoot, pids);
    if (read > 0) this.kept.set(path, { steps, facts });
    else this.kept.delete(path);
    return { facts, pids };
  }

  /** Ends a look at every job: the jobs it did not see are forgotten. */
  endLook(): void {
    for (const path of this.kept.keys()) if (!this.looked.has(path)) this.kept.delete(path);
    this.looked.clear();
  }
}

/** Jobs from the cgroup v2 layout, or undefined when there is no slurmstepd scope. */
export function cgroupV2Jobs(
  cgroupRoot: string,
  procRoot: string,
  cache = new JobFactsCache(),
): JobSighting[] | undefined {
  const slice = join(cgroupRoot, "system.slice");
  const scopes = dirs(slice).filter((d) => d === "slurmstepd.scope" || d.endsWith("_slurmstepd.scope"));
  if (scopes.length === 0) return undefined;
  const jobs: JobSighting[] = [];
  for (const scope of scopes) {
    for (const dir of dirs(join(slice, scope)).filter((d) => d !== "system")) {
      const path = join(slice, scope, dir);
      const usage = /^usage_usec\s+(\d+)/m.exec(text(join(path, "cpu.stat")) ?? "");
      const { facts, pids } = cache.look(path, procRoot, !usage);
      const named = /^job_(\d+)$/.exec(dir)?.[1];
      jobs.push({
        // From 26.05 the folder is the job's SLUID; its processes still carry SLURM_JOB_ID.
        jobId: named ?? facts.jobId ?? dir,
        ...(usage ? { cpuS: Number(usage[1]) / 1e6 } : {}),
        pids,
        source: "cgroup-v2",
        ...(facts.user ? { user: facts.user } : {}),
        gpus: facts.gpus,
      });
    }
  }
  cache.endLook();
  return jobs;
}

/** Jobs from the cgroup v1 cpuacct layout, or undefined when SLURM keeps none there. */
export function cgroupV1Jobs(
  cgroupRoot: string,
  procRoot: string,
  uidName: (uid: string) => string | undefined,
  cache = new JobFactsCache(),
): JobSighting[] | undefined {
  const cpuacct = ["cpuacct", "cpu,cpuacct", "cpuacct,cpu"]
    .map((c) => join(cgroupRoot, c))
    .find((p) => existsSync(p));
  if (!cpuacct) return undefined;
  const prefixes = dirs(cpuacct).filter((d) => d === "slurm" || d.startsWith("slurm_"));
  if (prefixes.length === 0) return undefined;
  const jobs: JobSighting[] = [];
  for (const prefix of prefixes) {
    for (const uidDir of dirs(join(cpuacct, prefix)).filter((d) => d.startsWith("uid_"))) {
      for (const jobDir of dirs(join(cpuacct, prefix, uidDir)).filter((d) => /^job_\d+$/.test(d))) {
        const path = join(cpuacct, prefix, uidDir, jobDir);
        const usageNs = Number((text(join(path, "cpuacct.usage")) ?? "").trim());
        const counted = Number.isFinite(usageNs) && usageNs > 0;
        const { facts, pids } = cache.look(path, procRoot, !counted);
        const user = facts.user ?? uidName(uidDir.slice(4));
        jobs.push({
          jobId: jobDir.slice(4),
          ...(counted ? { cpuS: usageNs / 1e9 } : {}),
          pids,
          source: "cgroup-v1",
          ...(user ? { user } : {}),
          gpus: facts.gpus,
        });
      }
    }
  }
  cache.endLook();
  return jobs;
}
