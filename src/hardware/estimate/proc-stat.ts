// Reads CPU time counters from /proc/stat (under CARBONTRACKER_PROC_ROOT): the basis of the
// utilisation estimate when no energy counter is readable.
import { isDigitCode } from "../digits.js";
import { openTextFile, readTextNonBlocking } from "../read-text.js";
import { join } from "node:path";

/** Aggregate CPU jiffies: busy and total, over all logical CPUs. */
export interface CpuTimes {
  busy: number;
  total: number;
  logicalCpus: number;
}

/**
 * Whether a line is a logical CPU's ("cpu12 ..."): `cpu`, digits, then a blank (by hand: see
 * digits.ts).
 */
function isPerCpuLine(line: string): boolean {
  if (!line.startsWith("cpu")) return false;
  let end = 3;
  while (isDigitCode(line.charCodeAt(end))) end += 1;
  const after = line.charCodeAt(end);
  return end > 3 && (after === 32 || after === 9);
}

/** Parses the text of /proc/stat. Throws when there is no aggregate `cpu` line. */
export function parseProcStat(text: string): CpuTimes {
  let aggregate: number[] | undefined;
  let logicalCpus = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("cpu ")) aggregate = line.trim().split(/\s+/).slice(1).map(Number);
    else if (isPerCpuLine(line)) logicalCpus += 1;
  }
  if (!aggregate || aggregate.some((n) => !Number.isFinite(n))) {
    throw new Error("no aggregate 'cpu' line in /proc/stat");
  }
  // user nice system idle iowait irq softirq steal (guest fields are already in user/nice)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = aggregate;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait, logicalCpus: Math.max(1, logicalCpus) };
}

/** Reads and parses `<procRoot>/stat`. */
export function readProcStat(procRoot: string): CpuTimes {
  return parseProcStat(readTextNonBlocking(join(procRoot, "stat")));
}

/** Bytes read for the aggregate line (its ten counters fit in a quarter of this). */
const HEAD_BYTES = 1024;

/** `<procRoot>/stat` kept open: each read is one pread of the first line, the only one parsed. */
export interface ProcStatFile {
  /** The counters now; logicalCpus is the count seen on the first read. Throws as readProcStat does. */
  read(): CpuTimes;
  close(): void;
}

/**
 * Opens `<procRoot>/stat` for repeated reads (see ProcStatFile). `knownLogicalCpus` (from a
 * whole read already made) spares the first read the whole file.
 */
export function openProcStat(procRoot: string, knownLogicalCpus?: number): ProcStatFile {
  const path = join(procRoot, "stat");
  const file = openTextFile(path, { headBytes: HEAD_BYTES });
  let logicalCpus = knownLogicalCpus;
  return {
    read() {
      if (logicalCpus === undefined) {
        const times = parseProcStat(readTextNonBlocking(path));
        logicalCpus = times.logicalCpus;
        return times;
      }
      const text = file.read();
      const end = text.indexOf("\n");
      return { ...parseProcStat(end === -1 ? text : text.slice(0, end)), logicalCpus };
    },
    close: () => file.close(),
  };
}
