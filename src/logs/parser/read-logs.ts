// From paths to runs: reads each run's files (our JSONL in preference to the text logs beside
// it), console captures, and names every problem by its file while the rest still counts.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { looksLikeCapture, parseConsoleCapture } from "./console-capture.js";
import { contentPrint, dedupeRuns, primaryFile, type RunEntry } from "./dedupe-runs.js";
import { fileOwner } from "./file-owner.js";
import { findLogFiles, type RunFileGroup } from "./find-log-files.js";
import { buildJsonlRun, jobRecordsOf } from "./jsonl-run.js";
import { sortKey, type LogFileKind } from "./run-id.js";
import { buildTextRun } from "./text-run.js";
import type { AgentJob, ParseIssue, ParseResult, RunFilePaths } from "./types.js";

/** How to read. */
export interface ReadLogsOptions {
  /** Look up each run's file owner (for grouping by user); costs one stat per run. */
  owners?: boolean;
}

/** Console captures larger than this are not read (a model checkpoint, not a log). */
const MAX_CAPTURE_BYTES = 64 * 1024 * 1024;
/** Files read between two turns of the event loop. */
const READ_BATCH = 256;

type Warn = (file: string, message: string) => void;

/**
 * Reads the files; small files read synchronously are several times faster than through the
 * promise API, and the event loop gets a turn every READ_BATCH files.
 */
async function readTexts(files: string[], captures: Set<string>, named: Set<string>, warn: Warn) {
  const texts = new Map<string, string>();
  for (const [i, file] of files.entries()) {
    if (i > 0 && i % READ_BATCH === 0) await new Promise((done) => setImmediate(done));
    const capture = captures.has(file);
    try {
      if (capture) {
        const info = statSync(file);
        if (!info.isFile()) continue;
        if (info.size > MAX_CAPTURE_BYTES) {
          if (named.has(file)) warn(file, `larger than ${MAX_CAPTURE_BYTES / 1024 / 1024} MiB: not read`);
          continue;
        }
      }
      const text = readFileSync(file, "utf8");
      if (capture && text.slice(0, 4096).includes("\u0000")) {
        if (named.has(file)) warn(file, "binary file: not read");
        continue;
      }
      texts.set(file, text);
    } catch (error) {
      warn(file, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  return texts;
}

function runOfGroup(
  group: RunFileGroup,
  texts: Map<string, string>,
  warn: Warn,
  agentJobs: AgentJob[],
): RunEntry | null {
  const f = group.files;
  const text = (kind: LogFileKind) => (f[kind] !== undefined ? texts.get(f[kind] as string) : undefined);
  const files: RunFilePaths = {};
  for (const kind of ["standard", "output", "err", "jsonl"] as const) if (f[kind]) files[kind] = f[kind];
  const key = join(group.dir, sortKey(group.runId));
  const jsonl = text("jsonl");
  // A node agent's log (`carbontracker agent`) holds job records, not a run.
  const jobs =
    jsonl !== undefined && !f.standard && !f.output && jsonl.includes('"type":"job"')
      ? jobRecordsOf(jsonl)
      : [];
  if (jobs.length > 0) {
    for (const record of jobs) agentJobs.push({ file: f.jsonl as string, record });
    return null;
  }
  if (jsonl !== undefined) {
    const run = buildJsonlRun({ runId: group.runId, files, text: jsonl });
    if (run) return { run, key, print: contentPrint(group.runId, jsonl) };
    warn(f.jsonl as string, "holds no complete record: read the text logs instead");
  }
  const standard = text("standard");
  const output = text("output");
  if (standard === undefined && output === undefined) {
    if (f.err && !f.jsonl) warn(f.err, "err log without its standard and output logs: ignored");
    return null;
  }
  if (standard === "" && output === "") {
    warn(f.standard as string, "the run's standard and output logs are empty: nothing to count");
    return null;
  }
  const run = buildTextRun({ runId: group.runId, files, standard, output, err: text("err") });
  // Orphans are said in the run's own notes, so they show in --json too.
  if (standard === undefined) {
    run.warnings.unshift(
      `orphan output log: no standard log ${group.runId}_carbontracker.log beside it; counted from its consumption blocks (${run.counted.basis}), early stop unknown`,
    );
  } else if (output === undefined) {
    const counts =
      run.counted.basis === "none"
        ? "no epoch logged, nothing counted"
        : `counted from its ${run.counted.epochs} logged epoch(s)`;
    run.warnings.unshift(
      `orphan standard log: no output log ${group.runId}_carbontracker_output.log beside it; ${counts}`,
    );
  }
  return { run, key, print: contentPrint(group.runId, standard, output) };
}

/** Reads every run under the paths (folders one level deep); never throws. */
export async function readLogs(
  paths: readonly string[],
  options: ReadLogsOptions = {},
): Promise<ParseResult> {
  const found = await findLogFiles(paths);
  const issues: ParseIssue[] = [...found.issues];
  const warn: Warn = (file, message) => issues.push({ file, message, severity: "warning" });
  const captureLike = new Set([...found.captures, ...found.beside]);
  const texts = await readTexts(
    [...found.groups.flatMap((g) => Object.values(g.files) as string[]), ...captureLike],
    captureLike,
    found.named,
    warn,
  );

  const logs: RunEntry[] = [];
  const agentJobs: AgentJob[] = [];
  for (const group of found.groups) {
    const entry = runOfGroup(group, texts, warn, agentJobs);
    if (entry) logs.push(entry);
  }
  for (const file of found.beside) {
    const text = texts.get(file);
    if (text !== undefined && looksLikeCapture(text)) {
      warn(
        file,
        "console output beside log files is not read (most likely the same runs); name the file to count it",
      );
    }
  }
  const captured: RunEntry[] = [];
  for (const file of found.captures) {
    const text = texts.get(file);
    if (text === undefined) continue;
    const { runs, problems } = parseConsoleCapture(text, file);
    for (const problem of problems) warn(file, problem);
    if (runs.length === 0 && found.named.has(file)) warn(file, "no carbontracker consumption block found");
    const print = contentPrint("", text);
    runs.forEach((run, k) =>
      captured.push({ run, key: `${file}#${String(k).padStart(6, "0")}`, print: `${print}#${k}` }),
    );
  }

  const { runs, notes } = dedupeRuns(logs, captured);
  for (const note of notes) warn(note.file, note.message);
  if (options.owners) {
    for (const run of runs) run.owner = await fileOwner(primaryFile(run));
  }
  for (const run of runs) for (const w of run.warnings) warn(primaryFile(run), w);
  issues.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { runs, agentJobs, issues };
}
