// The CPU model table: codecarbon's upstream rows as they are, then our additions (new models,
// and hardware threads for server models). One list with one provenance string for logs. A run
// looks its one CPU up by searching the file's text (cpuTableRowsContaining); only cpuTable()
// parses every row.
import type { Watts } from "../../units/index.js";
import { cpuAdditionCount, cpuAdditions, type AdditionSource, type CpuAddition } from "./cpu-additions.js";
import { readFileSync } from "node:fs";
import { packageFile } from "../package-file.js";

/** The upstream table, shipped verbatim (data/cpu-models/README.md says where it comes from). */
export const CODECARBON_CPU_CSV_PATH = "data/cpu-models/codecarbon-cpu_power.csv";

/** Where the upstream table comes from, for logs and the JSONL. */
const CODECARBON_CPU_TABLE_SOURCE = "codecarbon cpu_power.csv (MIT), as shipped by carbontracker 2.4.3";

/** Version of our additions; bump it with every change to cpu-additions.ts. */
const CPU_ADDITIONS_VERSION = "2026-12-05";

/** One model: its name as the table writes it, TDP per package, threads per package where known. */
export interface CpuTableEntry {
  name: string;
  tdpW?: Watts;
  threads?: number;
  /** `codecarbon`, or the key of the addition's source. */
  source: "codecarbon" | AdditionSource;
}

/**
 * A TDP cell: a number, or one of the upstream's four mangled ranges (`27.29.5` for 27.2-29.5 W),
 * read as its upper end (29.5). Undefined when neither.
 */
export function parseTdpCell(cell: string): number | undefined {
  const text = cell.trim();
  if (DECIMAL.test(text)) return Number(text);
  const range = MANGLED_RANGE.exec(text);
  return range ? Number(range[1]) : undefined;
}

// Regular expressions used per row live here: a literal in a function is a new object per call.
const DECIMAL = /^\d+(\.\d+)?$/;
const MANGLED_RANGE = /^\d+\.(\d+\.\d+)$/;

/** Parses `Name,TDP` lines (names trimmed; rows without a usable TDP dropped). */
export function parseCpuPowerCsv(csv: string): CpuTableEntry[] {
  return parseCpuPowerLines(csv.split("\n"));
}

/** Parses the CSV's lines, its header first. */
function parseCpuPowerLines(lines: readonly string[]): CpuTableEntry[] {
  const entries: CpuTableEntry[] = [];
  for (const line of lines.slice(1)) {
    const comma = line.lastIndexOf(",");
    if (comma <= 0) continue;
    const name = line.slice(0, comma).trim();
    const tdpW = parseTdpCell(line.slice(comma + 1));
    if (name && tdpW !== undefined && tdpW > 0) entries.push({ name, tdpW, source: "codecarbon" });
  }
  return entries;
}

/** The upstream CSV's bytes, read once. */
let upstreamBytes: Buffer | undefined;

function upstreamCsvBytes(): Buffer {
  return (upstreamBytes ??= readFileSync(packageFile(CODECARBON_CPU_CSV_PATH)));
}

/** The upstream CSV's text. */
function upstreamCsv(): string {
  return upstreamCsvBytes().toString("utf8");
}

/**
 * The upstream CSV with one character per byte (latin1), lower-cased, read once: a run searches
 * and counts this. Offsets in it are byte offsets, as lower-casing maps every latin1 character to
 * one latin1 character. Its few non-ASCII names (®) would make the UTF-8 text two bytes a
 * character, several times slower to decode and to search, and twice the garbage.
 */
let upstreamLowerBytewise: string | undefined;

function upstreamCsvLowerBytewise(): string {
  return (upstreamLowerBytewise ??= upstreamCsvBytes().toString("latin1").toLowerCase());
}

let cached: CpuTableEntry[] | undefined;

/** Every model: upstream rows first, additions merged (threads added to upstream rows they name). */
export function cpuTable(): readonly CpuTableEntry[] {
  return (cached ??= mergeAdditions(parseCpuPowerCsv(upstreamCsv()), cpuAdditions()));
}

/** Upstream rows with the additions merged in: threads added to the rows they name, new models appended. */
function mergeAdditions(upstream: CpuTableEntry[], additions: readonly CpuAddition[]): CpuTableEntry[] {
  const entries = [...upstream];
  const byName = new Map(entries.map((e) => [e.name.toLowerCase(), e]));
  for (const addition of additions) {
    const known = byName.get(addition.name.toLowerCase());
    if (known) {
      if (addition.threads !== undefined) known.threads = addition.threads;
      continue;
    }
    const entry: CpuTableEntry = { name: addition.name, source: addition.source };
    if (addition.tdpW !== undefined) entry.tdpW = addition.tdpW;
    if (addition.threads !== undefined) entry.threads = addition.threads;
    entries.push(entry);
    byName.set(addition.name.toLowerCase(), entry);
  }
  return entries;
}

/**
 * The entries of cpuTable(), in its order, whose lower-cased name contains one of `fragments`
 * (lower case): what a lookup needs, found by searching the file's text instead of parsing its
 * 4,000 rows, which costs a run tens of milliseconds and megabytes. Same entries as filtering
 * cpuTable() (a name and its merged addition contain a fragment alike).
 */
export function cpuTableRowsContaining(fragments: readonly string[]): CpuTableEntry[] {
  const named = (entry: { name: string }) => containsAny(entry.name.toLowerCase(), fragments);
  if (cached || fragments.includes("")) return cpuTable().filter(named);
  // Searched byte for byte: each fragment as its UTF-8 bytes, letters lower-cased on both sides.
  // That finds every row whose name contains a fragment (and perhaps a few more: the rows found
  // are decoded as UTF-8 and filtered by their names below).
  const bytes = upstreamCsvBytes();
  const lower = upstreamCsvLowerBytewise();
  const starts = new Set<number>();
  for (const fragment of fragments) {
    const needle = Buffer.from(fragment, "utf8").toString("latin1").toLowerCase();
    for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, at + 1)) {
      starts.add(lower.lastIndexOf("\n", at) + 1);
    }
  }
  const header = lower.indexOf("\n") + 1;
  const lines = [...starts]
    .filter((start) => start >= header)
    .sort((a, b) => a - b)
    .map((start) => {
      const end = lower.indexOf("\n", start);
      return bytes.toString("utf8", start, end === -1 ? lower.length : end);
    });
  const upstream = parseCpuPowerLines(["header", ...lines]);
  return mergeAdditions(upstream, cpuAdditions().filter(named)).filter(named);
}

function containsAny(name: string, fragments: readonly string[]): boolean {
  return fragments.some((fragment) => name.includes(fragment));
}

/**
 * How many upstream rows parseCpuPowerCsv keeps from the shipped table: a constant, as counting
 * them cost every estimate run about a millisecond (a test holds it equal to the parsed count;
 * update it with the file).
 */
export const CODECARBON_CPU_ROW_COUNT = 3924;

/** The table's provenance, for logs and the JSONL `start` record. */
export function cpuTableSource(): string {
  return `${CODECARBON_CPU_TABLE_SOURCE} (${CODECARBON_CPU_ROW_COUNT} models) + carbontracker-ts additions ${CPU_ADDITIONS_VERSION} (${cpuAdditionCount()} rows, sources in src/data/cpu-models/cpu-additions.ts)`;
}

/** The provenance in a few words, for console lines. */
export function cpuTableShortSource(): string {
  return `codecarbon cpu_power.csv via carbontracker 2.4.3 + ${cpuAdditionCount()} additions ${CPU_ADDITIONS_VERSION}`;
}
