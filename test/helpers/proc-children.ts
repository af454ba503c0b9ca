// A process's children by name, from /proc: what `ps --ppid <pid>` shows (the CLI's sample recorder).
import { readdirSync, readFileSync } from "node:fs";

/** The parent pid in a /proc/<pid>/stat text (after the name: state, then the parent's pid). */
export function parentPid(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

/**
 * The pids of the children of `pid` whose command name is `name`; with `live`, not those that
 * have ended and wait to be reaped (zombies).
 */
export function childrenNamed(pid: number, name: string, { live = false } = {}): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      if (parentPid(stat) === pid && comm === name && !(live && state === "Z")) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}
