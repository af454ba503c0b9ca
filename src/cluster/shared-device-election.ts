// Several ranks of one job on one node share the node's CPU packages and DRAM: exactly one of
// them may measure those, or a job's energy is counted once per rank. The ranks elect one with a
// node-local lock file keyed by job and node; where no lock can be made, SLURM_LOCALID 0 measures.
import { linkSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { makeFolder } from "../files/make-folder.js";

/** The outcome of the election for one tracker. */
export interface SharedDeviceElection {
  /** True when this tracker measures the node's shared devices (CPU packages, DRAM). */
  measuresSharedDevices: boolean;
  /** Who measures them and why, for the logs ("rank 0 (pid 4242) holds /tmp/...lock"). */
  reason: string;
  /** The lock file, when one was used. */
  lockPath?: string;
  /** The tracker that measures the shared devices, where known. */
  measurer?: { rank?: string; localId?: string; pid?: number; step?: string };
  /** Gives the lock up (the next tracker of the job on this node may take it). Idempotent. */
  release(): void;
}

/** What a lock file holds. */
interface LockContent {
  pid: number;
  rank?: string;
  localId?: string;
  step?: string;
  host: string;
  t: number;
}

/** Options with real defaults (tests point them elsewhere). */
export interface ElectionOptions {
  /** Whether a process still runs; default: signal 0. */
  isAlive?: (pid: number) => boolean;
  /** This process's id; default process.pid. */
  pid?: number;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

const safe = (text: string): string => text.replace(/[^A-Za-z0-9_.-]/g, "_");

/** The node-local folder of election locks: CARBONTRACKER_LOCK_DIR, else TMPDIR, else /tmp. */
function lockDirectory(env: Record<string, string | undefined>): string {
  return env.CARBONTRACKER_LOCK_DIR ?? join(env.TMPDIR ?? "/tmp", "carbontracker-locks");
}

function describe(content: LockContent | undefined): string {
  if (!content) return "another tracker";
  const who = content.rank !== undefined ? `rank ${content.rank}` : "a tracker";
  return `${who} (pid ${content.pid}${content.step !== undefined ? `, step ${content.step}` : ""})`;
}

function readLock(path: string): LockContent | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as LockContent;
  } catch {
    return undefined;
  }
}

/**
 * Decides whether this tracker measures the node's shared devices. Outside SLURM it always does.
 * Inside a job, the first tracker of the job on this node to create
 * `<lockDirectory>/job-<id>-<node>.lock` does; a lock left by a dead process is taken over.
 * Call `release()` when tracking ends.
 */
export function electSharedDeviceMeasurer(
  env: Record<string, string | undefined>,
  options: ElectionOptions = {},
): SharedDeviceElection {
  const jobId = env.SLURM_JOB_ID ?? env.SLURM_JOBID;
  const none = (): void => {};
  if (!jobId) {
    return {
      measuresSharedDevices: true,
      reason: "not inside a SLURM job: this tracker measures every device",
      release: none,
    };
  }
  const isAlive = options.isAlive ?? alive;
  const pid = options.pid ?? process.pid;
  const node = env.SLURMD_NODENAME ?? hostname();
  const me: LockContent = {
    pid,
    host: node,
    t: Date.now(),
    ...(env.SLURM_PROCID !== undefined ? { rank: env.SLURM_PROCID } : {}),
    ...(env.SLURM_LOCALID !== undefined ? { localId: env.SLURM_LOCALID } : {}),
    ...(env.SLURM_STEP_ID !== undefined ? { step: env.SLURM_STEP_ID } : {}),
  };
  const dir = lockDirectory(env);
  const lockPath = join(dir, `job-${safe(jobId)}-${safe(node)}.lock`);
  const measurer = (c: LockContent | undefined) =>
    c ? { rank: c.rank, localId: c.localId, pid: c.pid, step: c.step } : undefined;
  try {
    makeFolder(dir, 0o1777);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        // Written whole beside the lock, then linked: the lock never exists half written.
        const draft = `${lockPath}.${pid}.draft`;
        writeFileSync(draft, JSON.stringify(me), { mode: 0o644 });
        try {
          linkSync(draft, lockPath);
        } finally {
          unlinkSync(draft);
        }
        let released = false;
        const release = (): void => {
          if (released) return;
          released = true;
          process.removeListener("exit", release);
          if (readLock(lockPath)?.pid === pid) {
            try {
              unlinkSync(lockPath);
            } catch {
              // Already gone: nothing to give up.
            }
          }
        };
        process.once("exit", release);
        return {
          measuresSharedDevices: true,
          reason: `${describe(me)} measures this node's shared devices (CPU, DRAM) for job ${jobId} on ${node}: it holds ${lockPath}`,
          lockPath,
          measurer: measurer(me),
          release,
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const holder = readLock(lockPath);
        if (holder && !isAlive(holder.pid)) {
          // Left by a process that ended without releasing it (killed): take it over.
          try {
            unlinkSync(lockPath);
          } catch {
            // Someone else took it over first; try again.
          }
          continue;
        }
        return {
          measuresSharedDevices: false,
          reason: `${describe(holder)} measures this node's shared devices (CPU, DRAM) for job ${jobId} on ${node} (it holds ${lockPath}); ${describe(me)} measures only its own GPUs`,
          lockPath,
          measurer: measurer(holder),
          release: none,
        };
      }
    }
    throw new Error(`could not take over ${lockPath}`);
  } catch (error) {
    const first = env.SLURM_LOCALID === undefined || env.SLURM_LOCALID === "0";
    const why = `no lock could be made in ${dir} (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    return {
      measuresSharedDevices: first,
      reason: first
        ? `${describe(me)} measures this node's shared devices (CPU, DRAM) for job ${jobId} on ${node}: it is SLURM_LOCALID 0 and ${why}`
        : `the task with SLURM_LOCALID 0 measures this node's shared devices (CPU, DRAM) for job ${jobId} on ${node} (${why}); ${describe(me)} measures only its own GPUs`,
      measurer: first ? measurer(me) : { localId: "0" },
      release: none,
    };
  }
}
