// Reads CPU time counters from /proc/stat (under CARBONTRACKER_PROC_ROOT): the basis of the
// utilisation estimate when no energy counter is readable.
import { isDigitCode } from "../digits.js";
import { openTextFile, parseTextWith, readTextNonBlocking, type BytesParser } from "../read-text.js";
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

const noAggregateLine = () => new Error("no aggregate 'cpu' line in /proc/stat");

/**
 * The jiffies of the aggregate line at the start of `bytes[0..length)`: `cpu`, a space, then
 * user nice system idle iowait irq softirq steal (guest fields, already in user and nice, are
 * checked but not added). Read from the bytes, so that a sample makes no string. Throws when the
 * line is not one.
 */
export function parseAggregateLine(bytes: Uint8Array, length: number, logicalCpus = 1): CpuTimes {
  if (length < 4 || bytes[0] !== 99 || bytes[1] !== 112 || bytes[2] !== 117 || bytes[3] !== 32) {
    throw noAggregateLine();
  }
  let busy = 0;
  let idle = 0;
  let field = 0;
  let i = 4;
  for (;;) {
    while (i < length && (bytes[i] === 32 || bytes[i] === 9)) i += 1;
    if (i >= length || bytes[i] === 10) break;
    let value = 0;
    for (; i < length; i += 1) {
      const byte = bytes[i] as number;
      if (byte === 32 || byte === 9 || byte === 10) break;
      if (byte < 48 || byte > 57) throw noAggregateLine(); // not a digit (no call: once a byte)
      value = value * 10 + (byte - 48);
    }
    if (field === 3 || field === 4) idle += value;
    else if (field < 8) busy += value;
    field += 1;
  }
  return { busy, total: busy + idle, logicalCpus };
}

/** Parses the text of /proc/stat. Throws when there is no aggregate `cpu` line. */
export function parseProcStat(text: string): CpuTimes {
  let aggregate: string | undefined;
  let logicalCpus = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("cpu ")) aggregate = line;
    else if (isPerCpuLine(line)) logicalCpus += 1;
  }
  if (aggregate === undefined) throw noAggregateLine();
  const cpus = Math.max(1, logicalCpus);
  return parseTextWith(aggregate, (bytes, length) => parseAggregateLine(bytes, length, cpus));
}

/** Reads and parses `<procRoot>/stat`. */
export function readProcStat(procRoot: string): CpuTimes {
  return parseProcStat(readTextNonBlocking(join(procRoot, "stat")));
}

/** Bytes read for the aggregate line (its ten counters fit in a quarter of this). */
const HEAD_BYTES = 1024;

/** `<procRoot>/stat` kept open: each read is one pread of its head, whose first line is the only one parsed. */
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
  let logicalCpus = knownLogicalCpus ?? 0;
  const parseHead: BytesParser<CpuTimes> = (bytes, length) => parseAggregateLine(bytes, length, logicalCpus);
  return {
    read() {
      if (logicalCpus === 0) {
        const times = parseProcStat(readTextNonBlocking(path));
        logicalCpus = times.logicalCpus;
        return times;
      }
      return file.readWith(parseHead);
    },
    close: () => file.close(),
  };
}
