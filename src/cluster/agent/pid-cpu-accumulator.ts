// Without a job cgroup, a job's CPU time is the sum over its processes, and processes end: the
// time of each is remembered at its last sighting so the job's total never goes back.
import { processCpu } from "./proc-files.js";

/** Cumulative CPU time per job from the pids seen at each instant (s). */
export class PidCpuAccumulator {
  /** job → (pid:starttime → last CPU time seen, s) */
  private readonly seen = new Map<string, Map<string, number>>();

  constructor(private readonly procRoot: string) {}

  /** Reads the pids now and returns the job's CPU time so far (s), counted from its first sighting. */
  update(jobId: string, pids: readonly number[]): number {
    let byPid = this.seen.get(jobId);
    if (!byPid) this.seen.set(jobId, (byPid = new Map()));
    for (const pid of pids) {
      const cpu = processCpu(this.procRoot, pid);
      // Keyed by start time too: a reused pid is another process.
      if (cpu) byPid.set(`${pid}:${cpu.startTicks}`, cpu.cpuS);
    }
    let total = 0;
    for (const s of byPid.values()) total += s;
    return total;
  }

  /** Forgets a finished job. */
  forget(jobId: string): void {
    this.seen.delete(jobId);
  }
}
