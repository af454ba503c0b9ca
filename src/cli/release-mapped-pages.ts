// Drops the CLI's own mappings of the pages it read from files at start-up (Node's binary, the C
// libraries, the bundles' native modules) once the tracked command has run a while. The kernel
// keeps those pages in its page cache and maps one again at its next touch, so nothing changes
// but the count of pages mapped; only clean, read-only, private file mappings are dropped, whose
// content is the file's by construction (madvise MADV_DONTNEED).
//
// Why: on virtual machines that shadow a guest's page tables (nested virtualisation, as on this
// project's 2-core build VM), every wake-up costs in proportion to the pages a process has mapped,
// touched or not: a C loop waking once a second cost 0.11 ms/s with 2 MB mapped and 0.42 ms/s
// with 40 MB (written once or read from a file alike), and 0.08 ms/s once those 40 MB of file
// pages were dropped this way. A waiting tracker maps about 30 MB of Node's binary that start-up
// read once and nothing reads again. Elsewhere it costs one madvise per mapping, and the few
// hundred pages the tracker still touches are mapped again from the page cache.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/** MADV_DONTNEED on Linux (every architecture Node runs on there). */
const MADV_DONTNEED = 4;

/** A mapping of /proc/self/smaps: its range, permissions, file and how much of it is not the file's. */
interface Mapping {
  start: bigint;
  end: bigint;
  permissions: string;
  path: string;
  /** KB of the mapping's pages that are private copies (written), or swapped out. */
  changedKb: number;
}

/** The mappings listed in an smaps text. */
export function smapsMappings(text: string): Mapping[] {
  const mappings: Mapping[] = [];
  let current: Mapping | undefined;
  for (const line of text.split("\n")) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      current = {
        start: BigInt(`0x${header[1]}`),
        end: BigInt(`0x${header[2]}`),
        permissions: header[3] as string,
        path: header[4] ?? "",
        changedKb: 0,
      };
      mappings.push(current);
      continue;
    }
    const field = /^(Anonymous|Swap):\s+(\d+) kB/.exec(line);
    if (field && current) current.changedKb += Number(field[2]);
  }
  return mappings;
}

/**
 * Whether dropping a mapping's pages keeps its content: a private mapping of a file that cannot
 * be written and holds no page of its own (a relocated read-only segment does: dropping it would
 * bring the file's unrelocated bytes back).
 */
export function droppable(mapping: Mapping): boolean {
  return (
    mapping.path.startsWith("/") &&
    !mapping.path.endsWith(" (deleted)") &&
    mapping.permissions[1] !== "w" &&
    mapping.permissions[3] === "p" &&
    mapping.changedKb === 0
  );
}

type Madvise = (address: bigint, length: bigint, advice: number) => number;

/** libc's madvise, or undefined where koffi cannot load it. */
function libcMadvise(): Madvise | undefined {
  try {
    const koffi = createRequire(import.meta.url)("koffi") as typeof import("koffi");
    return koffi.load(null).func("int madvise(uintptr_t, size_t, int)") as Madvise;
  } catch {
    return undefined;
  }
}

/**
 * Drops this process's clean read-only file mappings (see the top of this file); returns the
 * bytes of address space released, 0 where it cannot (not Linux, no koffi, no /proc).
 */
export function releaseMappedFilePages(): number {
  if (process.platform !== "linux") return 0;
  const madvise = libcMadvise();
  if (!madvise) return 0;
  let text: string;
  try {
    text = readFileSync("/proc/self/smaps", "latin1");
  } catch {
    return 0;
  }
  let released = 0n;
  for (const mapping of smapsMappings(text)) {
    if (!droppable(mapping)) continue;
    if (madvise(mapping.start, mapping.end - mapping.start, MADV_DONTNEED) === 0) {
      released += mapping.end - mapping.start;
    }
  }
  return Number(released);
}

/** When the mappings are dropped after the command started (ms): start-up and the first samples are over. */
const RELEASE_AFTER_MS = [10_000, 30_000];

/** Drops the mappings twice while the command runs; the timers keep no process alive. */
export function releaseMappedFilePagesLater(): void {
  for (const delayMs of RELEASE_AFTER_MS) setTimeout(releaseMappedFilePages, delayMs).unref();
}
