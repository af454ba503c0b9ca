// Reads every run's JSONL under a folder (all ranks, all nodes of a job when the folder is
// shared) as lists of records, forgiving the half-written last line of a killed run.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { TrackerRecord } from "../logs/schema.js";
import type { AgentJobRecord } from "./agent/job-record.js";

/** One JSONL file's records. */
export interface JsonlRun {
  file: string;
  records: (TrackerRecord | AgentJobRecord)[];
}

/** Parses JSONL text; lines that are not JSON objects with a `type` are skipped. */
export function parseJsonl(text: string): (TrackerRecord | AgentJobRecord)[] {
  const records: (TrackerRecord | AgentJobRecord)[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (value && typeof value === "object" && typeof (value as { type?: unknown }).type === "string") {
        records.push(value as TrackerRecord);
      }
    } catch {
      // A run killed mid-write leaves a partial last line: what came before still counts.
    }
  }
  return records;
}

/** Every `*.jsonl` under `dir` (recursively), sorted by path. */
export function readJsonlRuns(dir: string): JsonlRun[] {
  const runs: JsonlRun[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder).sort()) {
      const path = join(folder, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith(".jsonl"))
        runs.push({ file: path, records: parseJsonl(readFileSync(path, "utf8")) });
    }
  };
  walk(dir);
  return runs;
}
