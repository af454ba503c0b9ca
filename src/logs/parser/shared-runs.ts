// The runs of a file pair that several CarbonTracker objects wrote into (see shared-logger.ts):
// the files' own tracker up to the next tracker's first line, and each later tracker as a run of
// its own, `<run id>#<n>`. A later tracker's own files hold the first files' lines from its first
// line on, byte for byte, so the prints of those tails find them: where its own files are read
// too, they count and its copy here does not (dedupe-runs.ts).
import { createHash } from "node:crypto";
import { basename } from "node:path";
import { parseRunId } from "./run-id.js";
import { FOUND, SHARED_FILES_WHY, splitSharedLog, type LineRange } from "./shared-logger.js";
import { splitLines } from "./text-lines.js";
import { buildTextRun } from "./text-run.js";
import type { ParsedRun, RunFilePaths } from "./types.js";

/** A later tracker's run found in the files of the first. */
export interface LaterRun {
  run: ParsedRun;
  /** Prints of the first files from this tracker's first line on (`filePrints` of its own files). */
  tails: string[];
}

/** The files' own tracker's texts and the later trackers' runs. */
export interface SharedLogRuns {
  standard?: string;
  output?: string;
  later: LaterRun[];
  /** What the own run's reader should know. */
  note: string;
}

/** The texts of a group's standard and output logs, where present. */
export interface SharedLogInput {
  runId: string;
  files: RunFilePaths;
  standard?: string;
  output?: string;
}

const VERSION = "carbontracker version";

function sha1(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

/**
 * One print per file present, tagged by kind: what a later tracker's own files and a tail of the
 * first share. Other texts (a JSONL, a console capture) pass as the first.
 */
export function filePrints(standard?: string, output?: string): string[] {
  const prints: string[] = [];
  if (standard !== undefined) prints.push(`std:${sha1(standard)}`);
  if (output !== undefined) prints.push(`out:${sha1(output)}`);
  return prints;
}

/** Cheap test before splitting lines: does a tracker's first line appear twice? */
function twice(text: string | undefined, needle: string): boolean {
  const first = text?.indexOf(needle) ?? -1;
  return first !== -1 && (text as string).indexOf(needle, first + needle.length) !== -1;
}

/** Where line `index` (as `splitLines` counts lines) begins in the text. */
function lineOffset(text: string, index: number): number {
  const breaks = /\r\n|\r|\n/g;
  let offset = 0;
  for (let i = 0; i < index; i++) {
    const m = breaks.exec(text);
    if (!m) return text.length;
    offset = m.index + m[0].length;
  }
  return offset;
}

function linesOf(lines: readonly string[], range: LineRange): string {
  return lines.slice(range.from, range.to).join("\n");
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${suffix}`;
}

/**
 * The group's runs when more than one tracker wrote its files, else null (the common case, found
 * without splitting the texts into lines).
 */
export function sharedLogRuns(input: SharedLogInput): SharedLogRuns | null {
  const { standard, output } = input;
  if (!twice(standard, VERSION) && !twice(output, FOUND)) return null;
  const std = standard === undefined ? undefined : splitLines(standard);
  const out = output === undefined ? undefined : splitLines(output);
  const [own, ...rest] = splitSharedLog(std, out);
  if (!own || rest.length === 0) return null;
  const host = basename(input.files.standard ?? input.files.output ?? input.runId);
  const pid = parseRunId(input.runId)?.pid ?? null;
  const later = rest.map((part, k): LaterRun => {
    const files: RunFilePaths = {};
    if (part.std && input.files.standard) files.standard = input.files.standard;
    if (part.out && input.files.output) files.output = input.files.output;
    const run = buildTextRun({
      runId: `${input.runId}#${k + 2}`,
      files,
      standard: part.std && std ? linesOf(std, part.std) : undefined,
      output: part.out && out ? linesOf(out, part.out) : undefined,
    });
    run.pid = pid;
    run.warnings.unshift(
      `the ${ordinal(k + 2)} CarbonTracker whose lines are in ${host} (${SHARED_FILES_WHY}), in no log files of its own among those read: counted as a run of its own`,
    );
    const tails = filePrints(
      part.std && standard !== undefined ? standard.slice(lineOffset(standard, part.std.from)) : undefined,
      part.out && output !== undefined ? output.slice(lineOffset(output, part.out.from)) : undefined,
    );
    return { run, tails };
  });
  return {
    standard: own.std && std ? linesOf(std, own.std) : undefined,
    output: own.out && out ? linesOf(out, own.out) : undefined,
    later,
    note: `also holds the lines of ${later.length} later CarbonTracker object(s) (${SHARED_FILES_WHY}): read as ${later.length + 1} runs, this one up to the next tracker's first line`,
  };
}
