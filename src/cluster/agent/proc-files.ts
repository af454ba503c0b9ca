// What the agent reads of /proc (CARBONTRACKER_PROC_ROOT): a process's CPU time and environment,
// and the node's busy CPU time, the denominators of "CPU energy shared by CPU time".
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openProcStat, type ProcStatFile } from "../../hardware/estimate/proc-stat.js";

/** Clock ticks per second of /proc times (USER_HZ; 100 on every Linux architecture in use). */
const USER_HZ = 100;

/** CPU time of a process (user + system, s) and its start time (ticks since boot), or undefined when gone. */
export function processCpu(procRoot: string, pid: number): { cpuS: number; startTicks: string } | undefined {
  let text: string;
  try {
    text = readFileSync(join(procRoot, String(pid), "stat"), "utf8");
  } catch {
    return undefined;
  }
  // The command name may hold spaces and parentheses: fields start after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // Fields 14, 15 (utime, stime) and 22 (starttime), counted from 1 with pid and comm first.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return { cpuS: (utime + stime) / USER_HZ, startTicks: fields[19] ?? "" };
}

/**
 * The node's busy CPU time since boot (all CPUs, s: user to steal, less idle and iowait), from
 * `<procRoot>/stat` kept open: each read parses the head of the file only (on a big node the
 * whole file is tens of kilobytes of per-CPU and interrupt counts), as the CPU estimate does.
 */
export class NodeBusyCpu {
  private readonly file: ProcStatFile;

  constructor(procRoot: string) {
    // The count of logical CPUs is not needed: 1 spares the first read the whole file.
    this.file = openProcStat(procRoot, 1);
  }

  /** The busy time now (s), or undefined when /proc/stat cannot be read. */
  read(): number | undefined {
    try {
      return this.file.read().busy / USER_HZ;
    } catch {
      return undefined;
    }
  }

  close(): void {
    this.file.close();
  }
}

/** A process's environment (readable by its owner and root), or undefined. */
export function processEnv(procRoot: string, pid: number): Record<string, string> | undefined {
  try {
    const env: Record<string, string> = {};
    for (const entry of readFileSync(join(procRoot, String(pid), "environ"), "utf8").split("\0")) {
      const eq = entry.indexOf("=");
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    return env;
  } catch {
    return undefined;
  }
}
