// SLURM's job cgroups (reference/slurm.md 10.2): v2 `system.slice/[<node>_]slurmstepd.scope/
// <job_N|SLUID>/step_*/...`, v1 `cpuacct/slurm[_<node>]/uid_<uid>/job_N/...`. A job's CPU time
// comes from its cgroup (exited processes included); its pids give its environment.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { AttributionSource } from "./job-record.js";
import { processEnv } from "./proc-files.js";

/** A running job as seen at one instant. */
export interface JobSighting {
  jobId: string;
  /** Cumulative CPU time of the job on this node (s), where the cgroup counts it. */
  cpuS?: number;
  pids: number[];
  source: AttributionSource;
  user?: string;
  /** Global GPU ids given to the job (SLURM_STEP_GPUS / SLURM_JOB_GPUS of its processes). */
  gpus: string[];
}

const dirs = (path: string): string[] => {
  try {
    return readdirSync(path)
      .sort()
      .filter((name) => {
        try {
          return statSync(join(path, name)).isDirectory();
        } catch {
          return false;
        }
      });
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
export function jobFacts(
  procRoot: string,
  pids: readonly number[],
): { jobId?: string; user?: string; gpus: string[] } {
  const gpus = new Set<string>();
  let jobId: string | undefined;
  let user: string | undefined;
  for (const pid of pids) {
    const env = processEnv(procRoot, pid);
    if (!env) continue;
    jobId ??= env.SLURM_JOB_ID ?? env.SLURM_JOBID;
    user ??= env.SLURM_JOB_USER;
    const ids = env.SLURM_STEP_GPUS ?? env.SLURM_JOB_GPUS;
    for (const id of (ids ?? "").split(",")) if (id.trim()) gpus.add(id.trim());
  }
  return { jobId, user, gpus: [...gpus].sort((a, b) => Number(a) - Number(b)) };
}

/** Jobs from the cgroup v2 layout, or undefined when there is no slurmstepd scope. */
export function cgroupV2Jobs(cgroupRoot: string, procRoot: string): JobSighting[] | undefined {
  const slice = join(cgroupRoot, "system.slice");
  const scopes = dirs(slice).filter((d) => d === "slurmstepd.scope" || d.endsWith("_slurmstepd.scope"));
  if (scopes.length === 0) return undefined;
  const jobs: JobSighting[] = [];
  for (const scope of scopes) {
    for (const dir of dirs(join(slice, scope)).filter((d) => d !== "system")) {
      const path = join(slice, scope, dir);
      const usage = /^usage_usec\s+(\d+)/m.exec(text(join(path, "cpu.stat")) ?? "");
      const pids = cgroupPids(path);
      const facts = jobFacts(procRoot, pids);
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
  return jobs;
}

/** Jobs from the cgroup v1 cpuacct layout, or undefined when SLURM keeps none there. */
export function cgroupV1Jobs(
  cgroupRoot: string,
  procRoot: string,
  uidName: (uid: string) => string | undefined,
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
        const pids = cgroupPids(path);
        const facts = jobFacts(procRoot, pids);
        const user = facts.user ?? uidName(uidDir.slice(4));
        jobs.push({
          jobId: jobDir.slice(4),
          ...(Number.isFinite(usageNs) && usageNs > 0 ? { cpuS: usageNs / 1e9 } : {}),
          pids,
          source: "cgroup-v1",
          ...(user ? { user } : {}),
          gpus: facts.gpus,
        });
      }
    }
  }
  return jobs;
}
