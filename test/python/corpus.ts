// The original's corpus (generated/*/expected.json) laid out as it was parsed: each folder's log
// files in a `logs` folder of its own copy, so the Python parser runs on "./logs" there.
import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { GENERATED } from "../logs/parser/helpers.js";
import { pythonFor, runPython, tempFolder } from "./python-kit.js";

/** A consumption block as the original's parser gives it. */
export type Consumption = Record<string, unknown> & { epochs: number | null };

/** One entry of the original's `parse_all_logs`. */
export interface Entry {
  output_filename: string | null;
  standard_filename: string | null;
  components: Record<string, Record<string, unknown[] | null>>;
  early_stop: boolean;
  actual: Consumption | null;
  pred: Consumption | null;
}

/** What the original's parser gave for a folder. */
export interface Expected {
  parse_all_logs: Entry[] | { error: string; message: string };
  aggregate_consumption: { energy_kwh: number; co2eq_g: number; equivalents: Record<string, number> };
  print_aggregate: string;
}

/** The corpus's folders, sorted. */
export const CORPUS_FOLDERS = readdirSync(GENERATED)
  .filter((name) => name.startsWith("run-") || name.startsWith("multi-"))
  .sort();

/** Copies `folders` (default all) into a temp folder, each one's log files in its `logs`; returns that folder. */
export function copyCorpus(t: TestContext, folders = CORPUS_FOLDERS): string {
  const dir = tempFolder(t);
  for (const folder of folders) {
    mkdirSync(join(dir, folder, "logs"), { recursive: true });
    for (const name of readdirSync(join(GENERATED, folder)).filter((n) => n.includes("_carbontracker"))) {
      cpSync(join(GENERATED, folder, name), join(dir, folder, "logs", name));
    }
  }
  return dir;
}

/** A folder's expected.json. */
export function expectedOf(folder: string): Expected {
  return JSON.parse(readFileSync(join(GENERATED, folder, "expected.json"), "utf8")) as Expected;
}

/** Powers and energies with the original's 0.0 where the log says None (ours keep None). */
export const zeroed = (rows: unknown[] | null | undefined) =>
  rows?.map((row) => (row as (number | null)[]).map((v) => v ?? 0));

/**
 * Runs `script ...args ROOT...` on copies of `folders` (one ROOT each); it must exit 0 and print
 * one JSON line per folder, returned in order. Undefined when the test was skipped for want of
 * a Python.
 */
export async function runOnCorpus<R>(
  t: TestContext,
  script: string,
  args: string[],
  folders = CORPUS_FOLDERS,
): Promise<R[] | undefined> {
  const python = pythonFor(t, "python");
  if (!python) return undefined;
  const dir = copyCorpus(t, folders);
  const run = await runPython(python, [script, ...args, ...folders.map((f) => join(dir, f))]);
  assert.equal(run.code, 0, run.stderr);
  const results = run.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as R);
  assert.equal(results.length, folders.length);
  return results;
}
