// The tracked process tree (a PID and all its descendants) from /proc, for devicesByPid: the
// kernel's children lists where it keeps them, else every process's parent from its stat line.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

function childrenFromTasks(procRoot: string, pid: number): number[] | undefined {
  let tasks: string[];
  try {
    tasks = readdirSync(join(procRoot, String(pid), "task"));
  } catch {
    return undefined;
  }
  const children: number[] = [];
  let readable = false;
  for (const task of tasks) {
    try {
      const text = readFileSync(join(procRoot, String(pid), "task", task, "children"), "utf8");
      readable = true;
      for (const item of text.split(/\s+/)) if (/^\d+$/.test(item)) children.push(Number(item));
    } catch {
      // A thread that ended in between, or a kernel without CONFIG_PROC_CHILDREN.
    }
  }
  return readable ? children : undefined;
}

/** The parent PID from the text of /proc/<pid>/stat; the command name may hold spaces and ')'. */
export function parentFromStat(text: string): number | undefined {
  const close = text.lastIndexOf(")");
  if (close === -1) return undefined;
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

function childrenByParent(procRoot: string): Map<number, number[]> {
  const byParent = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return byParent;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let ppid: number | undefined;
    try {
      ppid = parentFromStat(readFileSync(join(procRoot, entry, "stat"), "utf8"));
    } catch {
      continue;
    }
    if (ppid === undefined) continue;
    const list = byParent.get(ppid) ?? [];
    list.push(Number(entry));
    byParent.set(ppid, list);
  }
  return byParent;
}

/** `pid` and every descendant, read under `procRoot` (normally /proc). */
export function processTree(procRoot: string, pid: number): Set<number> {
  const tree = new Set<number>([pid]);
  const queue = [pid];
  let byParent: Map<number, number[]> | undefined;
  while (queue.length > 0) {
    const current = queue.shift() as number;
    let children = byParent ? undefined : childrenFromTasks(procRoot, current);
    if (children === undefined) {
      byParent ??= childrenByParent(procRoot);
      children = byParent.get(current) ?? [];
    }
    for (const child of children) {
      if (!tree.has(child)) {
        tree.add(child);
        queue.push(child);
      }
    }
  }
  return tree;
}
