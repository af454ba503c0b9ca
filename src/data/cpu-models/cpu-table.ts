// The CPU model table: codecarbon's upstream rows as they are, then our additions (new models,
// and hardware threads for server models). One list with one provenance string for logs.
import type { Watts } from "../../units/index.js";
import { cpuAdditions, type AdditionSource } from "./cpu-additions.js";
import { readFileSync } from "node:fs";
import { packageFile } from "../package-file.js";

/** The upstream table, shipped verbatim (data/cpu-models/README.md says where it comes from). */
export const CODECARBON_CPU_CSV_PATH = "data/cpu-models/codecarbon-cpu_power.csv";

/** Where the upstream table comes from, for logs and the JSONL. */
const CODECARBON_CPU_TABLE_SOURCE = "codecarbon cpu_power.csv (MIT), as shipped by carbontracker 2.4.3";

/** Version of our additions; bump it with every change to cpu-additions.ts. */
const CPU_ADDITIONS_VERSION = "2026-12";

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
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const range = /^\d+\.(\d+\.\d+)$/.exec(text);
  return range ? Number(range[1]) : undefined;
}

/** Parses `Name,TDP` lines (names trimmed; rows without a usable TDP dropped). */
export function parseCpuPowerCsv(csv: string): CpuTableEntry[] {
  const entries: CpuTableEntry[] = [];
  for (const line of csv.split("\n").slice(1)) {
    const comma = line.lastIndexOf(",");
    if (comma <= 0) continue;
    const name = line.slice(0, comma).trim();
    const tdpW = parseTdpCell(line.slice(comma + 1));
    if (name && tdpW !== undefined && tdpW > 0) entries.push({ name, tdpW, source: "codecarbon" });
  }
  return entries;
}

let cached: CpuTableEntry[] | undefined;

/** Every model: upstream rows first, additions merged (threads added to upstream rows they name). */
export function cpuTable(): readonly CpuTableEntry[] {
  if (cached) return cached;
  // Read on first use: only a CPU without a readable energy counter needs the table.
  const entries = parseCpuPowerCsv(readFileSync(packageFile(CODECARBON_CPU_CSV_PATH), "utf8"));
  const byName = new Map(entries.map((e) => [e.name.toLowerCase(), e]));
  for (const addition of cpuAdditions()) {
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
  cached = entries;
  return entries;
}

/** The table's provenance, for logs and the JSONL `start` record. */
export function cpuTableSource(): string {
  const upstream = cpuTable().filter((e) => e.source === "codecarbon").length;
  return `${CODECARBON_CPU_TABLE_SOURCE} (${upstream} models) + carbontracker-ts additions ${CPU_ADDITIONS_VERSION} (${cpuAdditions().length} rows, sources in src/data/cpu-models/cpu-additions.ts)`;
}

/** The provenance in a few words, for console lines. */
export function cpuTableShortSource(): string {
  return `codecarbon cpu_power.csv via carbontracker 2.4.3 + ${cpuAdditions().length} additions ${CPU_ADDITIONS_VERSION}`;
}
