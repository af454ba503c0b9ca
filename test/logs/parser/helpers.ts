// Shared by the parser tests: where the original's logs are, temp folders that clean up after
// themselves, and an issue collector for the parse functions.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestContext } from "node:test";
import type { ParseIssue } from "../../../src/logs/parser/index.js";

/** test/fixtures/carbontracker-logs: logs written by the Python original (see SOURCES.md). */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "../../fixtures/carbontracker-logs");
/** The corpus of runs of the original with their expected.json. */
export const GENERATED = join(FIXTURES, "generated");

/** A temp folder removed when the test ends. */
export function tempFolder(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "ct-parse-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Collects the issues a parse function reports. */
export function issueCollector(): { onIssue: (issue: ParseIssue) => void; issues: ParseIssue[] } {
  const issues: ParseIssue[] = [];
  return { onIssue: (issue) => void issues.push(issue), issues };
}

/** Relative difference of two numbers. */
export function relativeError(value: number, truth: number): number {
  return Math.abs(value - truth) / Math.abs(truth);
}
