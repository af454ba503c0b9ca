// A process's children by name, from /proc: what `ps --ppid <pid>` shows (the CLI's sample recorder).
import { readdirSync, readFileSync } from "node:fs";

/** The parent pid in a /proc/<pid>/stat text (after the name: state, then the parent's pid). */
export function parentPid(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

/** The pids of the children of `pid` whose command name is `name`. */
export function childrenNamed(pid: number, name: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (parentPid(stat) === pid && comm === name) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}
