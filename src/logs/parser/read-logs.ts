// From paths to runs: reads each run's files (our JSONL in preference to the text logs beside
// it), console captures, and names every problem by its file while the rest still counts.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { looksLikeCapture, parseConsoleCapture } from "./console-capture.js";
import { contentPrint, dedupeRuns, primaryFile, type LaterEntry, type RunEntry } from "./dedupe-runs.js";
import { fileOwner } from "./file-owner.js";
import { findLogFiles, type RunFileGroup } from "./find-log-files.js";
import { buildJsonlRun, jobRecordsOf } from "./jsonl-run.js";
import { parseRunId, sortKey, type LogFileKind } from "./run-id.js";
import { filePrints, sharedLogRuns, type LaterRun } from "./shared-runs.js";
import { buildTextRun } from "./text-run.js";
import type { AgentJob, ParsedRun, ParseIssue, ParseResult, RunFilePaths } from "./types.js";

/** How to read. */
export interface ReadLogsOptions {
  /** Look up each run's file owner (for grouping by user); costs one stat per run. */
  owners?: boolean;
  /**
   * Read the runs whose ids say they started last first, so a table sorted by start fills its
   * first page early; the result is the same.
   */
  newestFirst?: boolean;
  /** Called after each batch (about BATCH_MS of work), awaited before the next one. */
  onBatch?: (batch: ReadBatch) => void | Promise<void>;
  /** Stops reading between two batches: readLogs then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** What one batch of reading brought. */
export interface ReadBatch {
  /** The runs read in this batch, before copies are dropped (the result may leave some out). */
  runs: ParsedRun[];
  /** Node agents' job records read in this batch. */
  agentJobs: AgentJob[];
  /** Runs' file groups and console captures read so far. */
  read: number;
  /** Runs' file groups and console captures to read in all. */
  total: number;
}

/** Console captures larger than this are not read (a model checkpoint, not a log). */
const MAX_CAPTURE_BYTES = 64 * 1024 * 1024;
/** Work between two turns of the event loop (ms): a server reading logs still answers. */
const BATCH_MS = 20;

type Warn = (file: string, message: string) => void;

/**
 * One file's text, or undefined (with a note) when it cannot or should not be read. Small files
 * read synchronously are several times faster than through the promise API.
 */
function readText(file: string, capture: boolean, named: Set<string>, warn: Warn): string | undefined {
  try {
    if (capture) {
      const info = statSync(file);
      if (!info.isFile()) return undefined;
      if (info.size > MAX_CAPTURE_BYTES) {
        if (named.has(file)) warn(file, `larger than ${MAX_CAPTURE_BYTES / 1024 / 1024} MiB: not read`);
        return undefined;
      }
    }
    const bytes = readFileSync(file);
    // PowerShell 5's `>` and Tee-Object write UTF-16LE with a byte order mark.
    const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe;
    const text = utf16 ? bytes.toString("utf16le", 2) : bytes.toString("utf8");
    if (capture && text.slice(0, 4096).includes("\u0000")) {
      if (named.has(file)) warn(file, "binary file: not read");
      return undefined;
    }
    return text;
  } catch (error) {
    warn(file, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    return undefined;
  }
}

/** Positions of the groups, those whose run ids name the latest start first (ties in order). */
function newestFirst(groups: readonly RunFileGroup[]): number[] {
  const starts = groups.map((g) => parseRunId(g.runId)?.start ?? "");
  const start = (i: number) => starts[i] as string;
  return groups.map((_, i) => i).sort((a, b) => (start(a) > start(b) ? -1 : start(a) < start(b) ? 1 : a - b));
}

/** Hands out batches of about BATCH_MS of work, giving the event loop a turn after each. */
class Batches {
  private runs: ParsedRun[] = [];
  private jobs: AgentJob[] = [];
  private read = 0;
  private since = performance.now();

  constructor(
    private readonly total: number,
    private readonly options: ReadLogsOptions,
  ) {}

  /** One group or capture done, with the runs and job records it gave. */
  async done(runs: readonly ParsedRun[], jobs: readonly AgentJob[], counts = true): Promise<void> {
    this.runs.push(...runs);
    this.jobs.push(...jobs);
    if (counts) this.read++;
    if (performance.now() - this.since >= BATCH_MS) await this.flush();
  }

  /** Reports what the batch read, then yields. */
  async flush(): Promise<void> {
    const batch = { runs: this.runs, agentJobs: this.jobs, read: this.read, total: this.total };
    this.runs = [];
    this.jobs = [];
    await this.options.onBatch?.(batch);
    await new Promise((resolve) => setImmediate(resolve));
    this.options.signal?.throwIfAborted();
    this.since = performance.now();
  }
}

function runOfGroup(
  group: RunFileGroup,
  texts: Map<LogFileKind, string>,
  warn: Warn,
  agentJobs: AgentJob[],
): (RunEntry & { later?: LaterRun[] }) | null {
  const f = group.files;
  const text = (kind: LogFileKind) => texts.get(kind);
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
    if (run) return { run, key, print: contentPrint(group.runId, filePrints(jsonl)) };
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
  // Where later trackers of the process wrote into these files too, the own run is read up to the
  // next tracker's first line and each later tracker is a run of its own (shared-runs.ts).
  const shared = sharedLogRuns({ runId: group.runId, files, standard, output });
  const own = shared ?? { standard, output };
  const run = buildTextRun({
    runId: group.runId,
    files,
    standard: own.standard,
    output: own.output,
    err: text("err"),
  });
  if (shared) run.warnings.unshift(shared.note);
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
  const prints = filePrints(standard, output);
  return { run, key, print: contentPrint(group.runId, prints), files: prints, later: shared?.later };
}

/** The runs of a console capture, each keyed by its file and position. */
function capturedRuns(file: string, text: string, named: boolean, warn: Warn): RunEntry[] {
  const { runs, problems } = parseConsoleCapture(text, file);
  for (const problem of problems) warn(file, problem);
  if (runs.length === 0 && named) warn(file, "no carbontracker consumption block found");
  const print = contentPrint("", filePrints(text));
  return runs.map((run, k) => ({
    run,
    key: `${file}#${String(k).padStart(6, "0")}`,
    print: `${print}#${k}`,
  }));
}

/**
 * Reads every run under the paths (folders one level deep), in batches that give the event loop
 * a turn; never throws (but rejects with `signal`'s reason when it is aborted).
 */
export async function readLogs(
  paths: readonly string[],
  options: ReadLogsOptions = {},
): Promise<ParseResult> {
  const found = await findLogFiles(paths);
  const issues: ParseIssue[] = [...found.issues];
  const warn: Warn = (file, message) => issues.push({ file, message, severity: "warning" });
  const batches = new Batches(found.groups.length + found.captures.size, options);

  const logs: RunEntry[] = [];
  const later: LaterEntry[] = [];
  // Job records in the groups' order whatever the reading order, as the original lists them.
  const jobsOf: AgentJob[][] = found.groups.map(() => []);
  const order = options.newestFirst ? newestFirst(found.groups) : found.groups.map((_, i) => i);
  for (const i of order) {
    const group = found.groups[i] as RunFileGroup;
    const texts = new Map<LogFileKind, string>();
    for (const [kind, file] of Object.entries(group.files) as [LogFileKind, string][]) {
      const text = readText(file, false, found.named, warn);
      if (text !== undefined) texts.set(kind, text);
    }
    const entry = runOfGroup(group, texts, warn, jobsOf[i] as AgentJob[]);
    if (entry) logs.push(entry);
    const others = (entry?.later ?? []).map((l, k) => ({
      ...l,
      key: `${entry?.key}#${String(k + 2).padStart(6, "0")}`,
    }));
    later.push(...others);
    await batches.done([...(entry ? [entry.run] : []), ...others.map((o) => o.run)], jobsOf[i] as AgentJob[]);
  }
  for (const file of found.beside) {
    const text = readText(file, true, found.named, warn);
    if (text !== undefined && looksLikeCapture(text)) {
      warn(
        file,
        "console output beside log files is not read (most likely the same runs); name the file to count it",
      );
    }
    await batches.done([], [], false);
  }
  const captured: RunEntry[] = [];
  for (const file of found.captures) {
    const text = readText(file, true, found.named, warn);
    const runs = text === undefined ? [] : capturedRuns(file, text, found.named.has(file), warn);
    captured.push(...runs);
    await batches.done(
      runs.map((r) => r.run),
      [],
    );
  }
  await batches.flush();

  const { runs, notes } = dedupeRuns(logs, captured, later);
  for (const note of notes) warn(note.file, note.message);
  if (options.owners) {
    for (const run of runs) run.owner = await fileOwner(primaryFile(run));
  }
  for (const run of runs) for (const w of run.warnings) warn(primaryFile(run), w);
  issues.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { runs, agentJobs: jobsOf.flat(), issues };
}
