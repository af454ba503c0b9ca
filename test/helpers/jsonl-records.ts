// The JSONL records of the one run written to a log folder, for tests that read what a run left.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Every record of the `*_carbontracker.jsonl` in `logDir`, in order. */
export function jsonlRecords(logDir: string): Record<string, unknown>[] {
  const file = readdirSync(logDir).find((f) => f.endsWith("_carbontracker.jsonl")) as string;
  return readFileSync(join(logDir, file), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
