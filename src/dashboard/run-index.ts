// The dashboard's picture of the log folders: every run read once by the project's parser, then
// kept current by re-reading only the run whose files changed. Figures are the parser's and
// `--parse --json`'s (runRecord); samples are dropped once read, so 10,000 runs stay small.
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { lstat, readdir, readFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { fileOwner } from "../logs/parser/file-owner.js";
import { buildJsonlRun, readLogs } from "../logs/parser/index.js";
import { classifyLogName, sortKey, type LogFileKind } from "../logs/parser/run-id.js";
import { runProgress, type RunProgress } from "../logs/parser/run-progress.js";
import type { AgentJob, ParseIssue, ParsedRun } from "../logs/parser/types.js";
import { runRecord, type RunRecord } from "../reports/run-table.js";
import { FolderWatcher } from "./folder-watcher.js";
import { insideFolder } from "./safe-files.js";
import { runStatus, systemStatusContext, type RunStatus, type StatusContext } from "./run-status.js";

/** One run as the dashboard shows it. */
export interface IndexedRun {
  /** Stable id for URLs: a hash of the folder and the run id. */
  key: string;
  /** Position of its folder among the dashboard's log folders. */
  dirIndex: number;
  /** The parser's run, without its samples. */
  run: ParsedRun;
  /** The record `--parse --json` prints for it. */
  record: RunRecord;
  /** What its JSONL says so far (JSONL runs only). */
  progress: RunProgress | null;
  status: RunStatus;
  /** When its newest file was written (Unix ms). */
  modifiedMs: number;
  /** Sort position: the parser's file order. */
  order: string;
}

/** What changed, for the event stream. */
export interface IndexChange {
  kind: "added" | "updated" | "removed";
  key: string;
  entry?: IndexedRun;
}

/** How the index reads and watches. */
export interface RunIndexOptions {
  /** Watching: see FolderWatcher (default fs.watch with a poll beside it). */
  watch?: "fs" | "poll" | "off";
  /** Shortest time between two re-reads of one run (ms, default 250). */
  rereadMs?: number;
  /** Status of runs in progress is checked this often (ms, default 1000). */
  statusEveryMs?: number;
  statusContext?: () => StatusContext;
  /** fs.watch failed on a folder and it is polled instead. */
  onFallback?: (dir: string, reason: string) => void;
}

type Group = Map<LogFileKind, string>;

/** Every run of the log folders, kept current. */
export class RunIndex {
  readonly dirs: string[];
  private readonly entries = new Map<string, IndexedRun>();
  /** Log files by folder and run id (what the folder holds now). */
  private readonly groups = new Map<string, Map<string, Group>>();
  /** Folders without carbontracker log names: read whole, as console captures. */
  private readonly captureDirs = new Set<string>();
  private readonly issues = new Map<string, ParseIssue[]>();
  /** Node agents' job records, by the agent log they were read from. */
  private readonly jobs = new Map<string, AgentJob[]>();
  private readonly listeners = new Set<(change: IndexChange) => void>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly lastRead = new Map<string, number>();
  /** Names the watcher reported per run since its last re-read. */
  private readonly touched = new Map<string, Set<string>>();
  private changes = 0;
  private readonly reading = new Set<string>();
  private readonly again = new Set<string>();
  private closed = false;
  private watcher: FolderWatcher | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private readonly status: () => StatusContext;

  private constructor(
    dirs: readonly string[],
    private readonly options: RunIndexOptions,
  ) {
    this.dirs = dirs.map((d) => resolve(d));
    this.status = options.statusContext ?? systemStatusContext;
  }

  /** Reads every run of the folders, then watches them. */
  static async open(dirs: readonly string[], options: RunIndexOptions = {}): Promise<RunIndex> {
    const index = new RunIndex(dirs, options);
    await index.readAll();
    if (options.watch !== "off") {
      index.watcher = new FolderWatcher({
        dirs: index.dirs,
        mode: options.watch === "poll" ? "poll" : "fs",
        onChange: (dir, name) => index.changed(dir, name),
        hotFiles: () => index.hotFiles(),
        onFallback: options.onFallback,
      });
      await index.watcher.start();
    }
    index.statusTimer = setInterval(() => index.recheckRunning(), options.statusEveryMs ?? 1000);
    index.statusTimer.unref();
    return index;
  }

  /** Reads the folders as `--parse` reads them: one parser call over them all. */
  private async readAll(): Promise<void> {
    const outside = new Set<string>();
    for (const dir of this.dirs) {
      const names = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
      const groups = new Map<string, Group>();
      this.groups.set(dir, groups);
      let logNames = 0;
      for (const entry of names ?? []) {
        const kind = classifyLogName(entry.name);
        if (!kind) continue;
        logNames++;
        if (entry.isSymbolicLink() && !(await this.linkInside(dir, entry.name))) {
          outside.add(join(dir, entry.name));
          continue;
        }
        const group = groups.get(kind.runId) ?? new Map<LogFileKind, string>();
        groups.set(kind.runId, group.set(kind.kind, entry.name));
      }
      // No log file at all: the parser reads the folder's text files as console captures.
      if (logNames === 0 && names) this.captureDirs.add(dir);
    }
    const { runs, agentJobs, issues } = await readLogs(this.dirs);
    this.keepIssues(issues.filter((i) => !outside.has(i.file)));
    this.keepJobs(agentJobs.filter((j) => !outside.has(j.file)));
    // The owners `--parse --by user` reads, looked up side by side rather than one by one.
    const owners = await Promise.all(runs.map((run) => fileOwner(primaryOf(run))));
    for (const [i, run] of runs.entries()) {
      const files = Object.values(run.files) as string[];
      if (files.some((f) => outside.has(f)) || !(await this.readable(run))) continue;
      this.put(run, false, owners[i]);
    }
  }

  /** A symlink pointing out of its folder is never read: the dashboard serves the folder only. */
  private async linkInside(dir: string, name: string): Promise<boolean> {
    if (await insideFolder(dir, join(dir, name))) return true;
    const message = "symbolic link to a file outside the log folder: not read by the dashboard";
    this.issues.set(join(dir, name), [{ file: join(dir, name), message, severity: "warning" }]);
    return false;
  }

  private keepJobs(jobs: readonly AgentJob[]): void {
    this.changes++;
    for (const job of jobs) this.jobs.set(job.file, [...(this.jobs.get(job.file) ?? []), job]);
  }

  private keepIssues(issues: readonly ParseIssue[]): void {
    for (const issue of issues) this.issues.set(issue.file, [...(this.issues.get(issue.file) ?? []), issue]);
  }

  private dirIndexOf(run: ParsedRun): number {
    const f = run.files;
    const file = f.jsonl ?? f.standard ?? f.output ?? f.err ?? f.capture ?? "";
    const i = this.dirs.indexOf(dirname(file));
    return i >= 0 ? i : 0;
  }

  private put(run: ParsedRun, notify: boolean, owner?: string | null): IndexedRun {
    if (owner !== undefined) run.owner = owner;
    let modifiedMs = 0;
    // Synchronous: one stat is microseconds, and 40,000 through the thread pool take seconds.
    for (const file of Object.values(run.files) as string[])
      modifiedMs = Math.max(modifiedMs, statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    const dirIndex = this.dirIndexOf(run);
    const dir = this.dirs[dirIndex] as string;
    const key = keyOf(dir, run.runId);
    const progress = run.source === "jsonl" ? runProgress(run) : null;
    run.samples = [];
    const record = runRecord(run);
    const entry: IndexedRun = {
      key,
      dirIndex,
      run,
      record,
      progress,
      status: runStatus(run, record, modifiedMs, this.status()),
      modifiedMs,
      order: run.files.capture ? `${run.files.capture}#${run.runId}` : join(dir, sortKey(run.runId)),
    };
    const existed = this.entries.has(key);
    this.entries.set(key, entry);
    if (notify) this.emit({ kind: existed ? "updated" : "added", key, entry });
    return entry;
  }

  /** A number that changes whenever a run, a status or an agent record changes (for caches). */
  get version(): number {
    return this.changes;
  }

  private emit(change: IndexChange): void {
    this.changes++;
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A listener (a closed connection) must never stop the index.
      }
    }
  }

  /** Calls `listener` on every change until the returned function is called. */
  subscribe(listener: (change: IndexChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every run, in the parser's file order (the order `--parse` sums in). */
  runs(): IndexedRun[] {
    return [...this.entries.values()].sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
  }

  /** The runs still going, in no particular order. */
  running(): IndexedRun[] {
    return [...this.entries.values()].filter((e) => e.status === "running");
  }

  /** Node agents' job records (energy of jobs, not runs), in file order. */
  agentJobs(): AgentJob[] {
    return [...this.jobs.keys()].sort().flatMap((file) => this.jobs.get(file) as AgentJob[]);
  }

  /** One run by its key. */
  get(key: string): IndexedRun | undefined {
    return this.entries.get(key);
  }

  /** What the parser said of files that gave no run (unreadable, empty, no record, copies). */
  problems(): ParseIssue[] {
    const inRuns = new Set<string>();
    for (const entry of this.entries.values()) for (const f of Object.values(entry.run.files)) inRuns.add(f);
    return [...this.issues.values()]
      .flat()
      .filter((issue) => !inRuns.has(issue.file) || issue.severity === "error")
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  }

  private hotFiles(): string[] {
    return this.running().flatMap((e) => (e.run.files.jsonl ? [e.run.files.jsonl] : []));
  }

  private changed(dir: string, name: string): void {
    const kind = classifyLogName(name);
    if (this.captureDirs.has(dir)) {
      if (!kind) return this.schedule(`${dir}\u0000`, () => this.rereadCaptures(dir));
      // A log file arrived: the folder is a log folder now, whose other text files the parser skips.
      this.captureDirs.delete(dir);
      void this.rereadCaptures(dir, false);
    }
    if (!kind) return;
    const id = `${dir}\u0000${kind.runId}`;
    this.touched.set(id, (this.touched.get(id) ?? new Set<string>()).add(name));
    this.schedule(id, () => this.reread(dir, kind.runId));
  }

  /** Re-reads at most once per `rereadMs`; changes meanwhile are taken by the next read. */
  private schedule(id: string, read: () => Promise<void>): void {
    if (this.pending.has(id)) {
      // A change while the read runs may come after what it read: one more read then.
      if (this.reading.has(id)) this.again.add(id);
      return;
    }
    const since = Date.now() - (this.lastRead.get(id) ?? 0);
    const wait = Math.max(30, (this.options.rereadMs ?? 250) - since);
    const timer = setTimeout(() => {
      this.lastRead.set(id, Date.now());
      this.reading.add(id);
      read()
        .catch(() => undefined)
        .finally(() => {
          this.reading.delete(id);
          this.pending.delete(id);
          if (this.again.delete(id) && !this.closed) this.schedule(id, read);
        });
    }, wait);
    timer.unref();
    this.pending.set(id, timer);
  }

  private async rereadCaptures(dir: string, read = true): Promise<void> {
    const { runs, issues } = read ? await readLogs([dir]) : { runs: [], issues: [] };
    for (const [key, entry] of this.entries) {
      if (entry.run.files.capture && dirname(entry.run.files.capture) === dir) {
        this.entries.delete(key);
        this.emit({ kind: "removed", key });
      }
    }
    for (const file of [...this.issues.keys()]) if (dirname(file) === dir) this.issues.delete(file);
    this.keepIssues(issues);
    const owners = await Promise.all(runs.map((run) => fileOwner(primaryOf(run))));
    for (const [i, run] of runs.entries()) if (await this.readable(run)) this.put(run, true, owners[i]);
  }

  private async allInside(run: ParsedRun): Promise<boolean> {
    for (const file of Object.values(run.files) as string[]) {
      if (!(await insideFolder(dirname(file), file))) {
        await this.linkInside(dirname(file), basename(file));
        return false;
      }
    }
    return true;
  }

  /** A console capture read from a folder counts only when it is the folder's own file. */
  private async readable(run: ParsedRun): Promise<boolean> {
    const capture = run.files.capture;
    return capture === undefined || (await insideFolder(dirname(capture), capture));
  }

  private async reread(dir: string, runId: string): Promise<void> {
    const groups = this.groups.get(dir) ?? new Map<string, Group>();
    this.groups.set(dir, groups);
    const id = `${dir}\u0000${runId}`;
    const candidates = new Set([...(groups.get(runId)?.values() ?? []), ...(this.touched.get(id) ?? [])]);
    this.touched.delete(id);
    const group = new Map<LogFileKind, string>();
    for (const name of candidates) {
      this.issues.delete(join(dir, name));
      this.jobs.delete(join(dir, name));
    }
    for (const name of candidates) {
      const info = await lstat(join(dir, name)).catch(() => null);
      const usable = info?.isFile() || (info?.isSymbolicLink() && (await this.linkInside(dir, name)));
      if (usable) group.set((classifyLogName(name) as { kind: LogFileKind }).kind, name);
    }
    const key = keyOf(dir, runId);
    const before = this.entries.get(key);
    if (group.size === 0) groups.delete(runId);
    else groups.set(runId, group);
    let run = group.size === 0 ? null : await this.readGroup(dir, runId, group);
    // The parser brings a run's other files by name: none may lead out of the folder.
    if (run && !(await this.allInside(run))) run = null;
    if (run) {
      this.put(run, true, before?.run.owner ?? (await fileOwner(primaryOf(run))));
    } else if (before) {
      this.entries.delete(key);
      this.emit({ kind: "removed", key });
    }
  }

  /**
   * The run of one group: a tracker's JSONL (text logs beside it) straight through the parser's
   * JSONL reader, the rest (text logs, a node agent's job records) through the parser on its files.
   */
  private async readGroup(dir: string, runId: string, group: Group): Promise<ParsedRun | null> {
    const path = (kind: LogFileKind) => (group.has(kind) ? join(dir, group.get(kind) as string) : undefined);
    const jsonl = path("jsonl");
    if (jsonl !== undefined && (group.has("standard") || group.has("output"))) {
      const text = await readFile(jsonl, "utf8").catch(() => undefined);
      const files: ParsedRun["files"] = {};
      for (const kind of ["standard", "output", "err", "jsonl"] as const) {
        const p = path(kind);
        if (p !== undefined) files[kind] = p;
      }
      // A run that has just begun may have created its JSONL but not written its start yet.
      if (text === "") return null;
      const run = text === undefined ? null : buildJsonlRun({ runId, files, text });
      if (run) {
        for (const w of run.warnings) this.keepIssues([{ file: jsonl, message: w, severity: "warning" }]);
        return run;
      }
    }
    const { runs, agentJobs, issues } = await readLogs([...group.values()].map((n) => join(dir, n)));
    this.keepIssues(issues);
    this.keepJobs(agentJobs);
    return runs.find((r) => r.runId === runId) ?? null;
  }

  private recheckRunning(): void {
    const context = this.status();
    for (const entry of this.entries.values()) {
      if (entry.status !== "running") continue;
      const status = runStatus(entry.run, entry.record, entry.modifiedMs, context);
      if (status === entry.status) continue;
      entry.status = status;
      this.emit({ kind: "updated", key: entry.key, entry });
    }
  }

  /** Stops watching. */
  close(): void {
    this.closed = true;
    this.watcher?.close();
    if (this.statusTimer) clearInterval(this.statusTimer);
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    this.listeners.clear();
  }
}

function primaryOf(run: ParsedRun): string {
  const f = run.files;
  return f.jsonl ?? f.output ?? f.standard ?? f.capture ?? run.runId;
}

/** The URL key of a run: stable across restarts, free of path characters. */
function keyOf(dir: string, runId: string): string {
  return createHash("sha1").update(`${dir}\u0000${runId}`).digest("hex").slice(0, 16);
}
