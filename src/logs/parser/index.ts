// The parser's public face, named after the original's `carbontracker.parser` functions so its
// users find them; each reads our JSONL where it sits beside the text logs, and the original's
// text logs of every version since 1.0 otherwise.
import { readdir, stat } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { LogParseError } from "../../errors/index.js";
import { aggregateSentence } from "./aggregate-sentence.js";
import { readLogs } from "./read-logs.js";
import { classifyLogName } from "./run-id.js";
import { totalConsumption } from "./totals.js";
import type { ComponentMeasurements, ConsumptionTotals, ParseIssue, ParsedRun } from "./types.js";

// The shapes and lower-level readers, for tools that work on runs themselves (reports, exporters).
export type * from "./types.js";
export { readLogs } from "./read-logs.js";
export { totalConsumption } from "./totals.js";
export { aggregateSentence } from "./aggregate-sentence.js";
export { parseConsoleCapture } from "./console-capture.js";
export { buildTextRun } from "./text-run.js";
export { buildJsonlRun } from "./jsonl-run.js";

/** Where the parse functions report orphans, duplicates and unreadable files. */
export interface ParseOptions {
  /** Called once per issue; the default writes `carbontracker: <file>: <message>` to stderr. */
  onIssue?: (issue: ParseIssue) => void;
}

const warnOnStderr = (issue: ParseIssue) => console.warn(`carbontracker: ${issue.file}: ${issue.message}`);

async function runsIn(logDir: string, options: ParseOptions): Promise<ParsedRun[]> {
  const { runs, issues } = await readLogs([logDir]);
  const fatal = issues.find((i) => i.severity === "error");
  if (fatal) throw new LogParseError(fatal.file, `Cannot parse logs in ${logDir}: ${fatal.message}.`);
  for (const issue of issues) (options.onIssue ?? warnOnStderr)(issue);
  return runs;
}

/**
 * Every run in a log folder (not its sub-folders), in file order.
 * @throws LogParseError when the folder cannot be read.
 */
export async function parseAllLogs(logDir: string, options: ParseOptions = {}): Promise<ParsedRun[]> {
  return runsIn(logDir, options);
}

/**
 * A named standard log: where the original opens it (relative to the working folder, as
 * parse_all_logs names it, the folder joined), else in the log folder.
 */
async function namedLog(logDir: string, stdFile: string): Promise<string> {
  if (isAbsolute(stdFile)) return stdFile;
  const fromCwd = await stat(stdFile).then(
    (info) => info.isFile(),
    () => false,
  );
  return fromCwd ? resolve(stdFile) : resolve(logDir, stdFile);
}

/**
 * Per-component measurements (power W, energy J before PUE, epoch durations s, devices) of one
 * run: the one whose standard log (or JSONL) is `stdFile`, else the most recently modified.
 * @throws LogParseError when there is no such log.
 */
export async function parseLogs(
  logDir: string,
  stdFile?: string,
  options: ParseOptions = {},
): Promise<Record<string, ComponentMeasurements>> {
  let file = stdFile === undefined ? undefined : await namedLog(logDir, stdFile);
  if (file === undefined) {
    let newest = -Infinity;
    let names: string[];
    try {
      names = await readdir(logDir);
    } catch (error) {
      throw new LogParseError(logDir, `Cannot list log folder ${logDir}: ${(error as Error).message}.`, {
        cause: error,
      });
    }
    for (const name of names) {
      const kind = classifyLogName(name)?.kind;
      if (kind !== "standard" && kind !== "jsonl") continue;
      const mtime = (await stat(join(logDir, name)).catch(() => undefined))?.mtimeMs ?? -Infinity;
      if (mtime > newest) [newest, file] = [mtime, join(logDir, name)];
    }
    if (file === undefined) {
      throw new LogParseError(
        logDir,
        `No carbontracker standard log in ${logDir}. Pass the folder a run logged to.`,
      );
    }
  }
  const run = (await runsIn(file, options))[0];
  if (!run)
    throw new LogParseError(file, `No carbontracker run in ${file}. Name a *_carbontracker.log file.`);
  return run.components;
}

/**
 * Total energy (kWh, after PUE), CO2eq (g) and equivalents of every run in a log folder, each
 * run counted by its actual consumption, its prediction or its logged epochs (see `counted`).
 * @throws LogParseError when the folder cannot be read.
 */
export async function aggregateConsumption(
  logDir: string,
  options: ParseOptions = {},
): Promise<ConsumptionTotals> {
  return totalConsumption(await runsIn(logDir, options));
}

/**
 * Writes the original's aggregate sentence for a log folder and returns it.
 * @param options.write where the sentence goes (default: stdout).
 * @throws LogParseError when the folder cannot be read.
 */
export async function printAggregate(
  logDir: string,
  options: ParseOptions & { write?: (line: string) => void } = {},
): Promise<string> {
  const sentence = aggregateSentence(await aggregateConsumption(logDir, options));
  (options.write ?? ((line: string) => console.log(line)))(sentence);
  return sentence;
}
