// The dashboard's picture of the log folders: every run read once by the project's parser, in
// batches while the server already answers (newest runs first), then kept current by re-reading
// only the run whose files changed. Figures are the parser's and `--parse --json`'s (runRecord).
import { lstat, readFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { fileOwner } from "../logs/parser/file-owner.js";
import { buildJsonlRun, readLogs } from "../logs/parser/index.js";
import type { ReadBatch } from "../logs/parser/read-logs.js";
import { classifyLogName, type LogFileKind } from "../logs/parser/run-id.js";
import type { AgentJob, ParseIssue, ParsedRun } from "../logs/parser/types.js";
import { listFolders, type RunGroup } from "./folder-listing.js";
import { FolderWatcher } from "./folder-watcher.js";
import { indexedRun, keyOf, type IndexedRun } from "./indexed-run.js";
import { primaryFile } from "../logs/parser/dedupe-runs.js";
import { insideFolder } from "./safe-files.js";
import { runStatus, systemStatusContext, type StatusContext } from "./run-status.js";

export type { IndexedRun } from "./indexed-run.js";

/** What changed, for the event stream. */
export interface IndexChange {
  kind: "added" | "updated" | "removed";
  key: string;
  entry?: IndexedRun;
}

/** How far the first read of the folders has come. */
export interface IndexProgress {
  /** Runs' file groups and console captures read, and to read in all. */
  read: number;
  total: number;
  /** The first read is over: every run is in the index. */
  done: boolean;
  /** Runs in the index now. */
  runs: number;
  /** Time the first read has taken so far (s). */
  seconds: number;
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

/** Every run of the log folders, kept current. */
export class RunIndex {
  readonly dirs: string[];
  /** Settles once the first read is over (at once when the index is closed before). */
  readonly ready: Promise<void>;
  private readonly entries = new Map<string, IndexedRun>();
  /** Log files by folder and run id (what the folder holds now). */
  private readonly groups = new Map<string, Map<string, RunGroup>>();
  /** Folders without carbontracker log names: read whole, as console captures. */
  private readonly captureDirs = new Set<string>();
  private readonly issues = new Map<string, ParseIssue[]>();
  /** Node agents' job records, by the agent log they were read from. */
  private readonly jobs = new Map<string, AgentJob[]>();
  private readonly listeners = new Set<(change: IndexChange) => void>();
  private readonly progressListeners = new Set<(progress: IndexProgress) => void>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly lastRead = new Map<string, number>();
  /** Names the watcher reported per run since its last re-read. */
  private readonly touched = new Map<string, Set<string>>();
  private changes = 0;
  private readonly reading = new Set<string>();
  private readonly again = new Set<string>();
  private closed = false;
  private readonly stop = new AbortController();
  private state: IndexProgress = { read: 0, total: 0, done: false, runs: 0, seconds: 0 };
  /** Changes the watcher saw during the first read: taken once it is over. */
  private deferred: [string, string][] | null = [];
  private watcher: FolderWatcher | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private readonly status: () => StatusContext;

  private constructor(
    dirs: readonly string[],
    private readonly options: RunIndexOptions,
  ) {
    this.dirs = dirs.map((d) => resolve(d));
    this.status = options.statusContext ?? systemStatusContext;
    this.ready = this.load();
  }

  /**
   * Starts reading the folders and watching them, and returns at once: the index fills batch by
   * batch (see `progress` and `ready`), the runs whose ids say they started last first.
   */
  static start(dirs: readonly string[], options: RunIndexOptions = {}): RunIndex {
    return new RunIndex(dirs, options);
  }

  /** Reads every run of the folders, then watches them. */
  static async open(dirs: readonly string[], options: RunIndexOptions = {}): Promise<RunIndex> {
    const index = RunIndex.start(dirs, options);
    await index.ready;
    return index;
  }

  /** How far the first read has come (`done` once every run is in). */
  get progress(): IndexProgress {
    return this.state;
  }

  private async load(): Promise<void> {
    const started = performance.now();
    const listing = await listFolders(this.dirs, (dir, name) => this.linkInside(dir, name));
    for (const [dir, groups] of listing.groups) this.groups.set(dir, groups);
    for (const dir of listing.captureDirs) this.captureDirs.add(dir);
    if (this.options.watch !== "off" && !this.closed) {
      const watcher = new FolderWatcher({
        dirs: this.dirs,
        mode: this.options.watch === "poll" ? "poll" : "fs",
        onChange: (dir, name) => (this.deferred ? this.deferred.push([dir, name]) : this.changed(dir, name)),
        hotFiles: () => this.hotFiles(),
        onFallback: this.options.onFallback,
      });
      await watcher.start(listing.names);
      this.watcher = watcher;
    }
    if (this.closed) return this.watcher?.close();
    this.statusTimer = setInterval(() => this.recheckRunning(), this.options.statusEveryMs ?? 1000);
    this.statusTimer.unref();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      await this.readAll(listing.outside, ({ read, total }) =>
        this.setProgress({ read, total, done: false, seconds: seconds() }),
      );
    } catch (error) {
      if (this.stop.signal.aborted) return;
      // The pages stop saying they wait for more; the command says what failed.
      this.setProgress({ ...this.state, done: true, seconds: seconds() });
      throw error;
    }
    this.setProgress({ read: this.state.total, total: this.state.total, done: true, seconds: seconds() });
    // What changed while the folders were read is read again now.
    const deferred = this.deferred ?? [];
    this.deferred = null;
    for (const [dir, name] of deferred) this.changed(dir, name);
  }

  private setProgress(progress: Omit<IndexProgress, "runs">): void {
    this.state = { ...progress, runs: this.entries.size };
    this.changes++;
    for (const listener of this.progressListeners) listener(this.state);
  }

  /**
   * Reads the folders as `--parse` reads them, one parser call over them all, showing each batch's
   * runs as it comes; then keeps the parser's result: copies of a run found later are dropped.
   */
  private async readAll(outside: Set<string>, onProgress: (batch: ReadBatch) => void): Promise<void> {
    const shown = new Map<ParsedRun, string>();
    const usable = (run: ParsedRun) => !(Object.values(run.files) as string[]).some((f) => outside.has(f));
    const { runs, issues } = await readLogs(this.dirs, {
      newestFirst: true,
      signal: this.stop.signal,
      onBatch: async (batch) => {
        const fresh = batch.runs.filter(usable);
        // The owners `--parse --by user` reads, looked up side by side rather than one by one.
        const owners = await Promise.all(fresh.map((run) => fileOwner(primaryFile(run))));
        for (const [i, run] of fresh.entries()) {
          if (this.closed || !(await this.readable(run))) continue;
          shown.set(run, this.put(run, false, owners[i]).key);
        }
        this.keepJobs(batch.agentJobs.filter((j) => !outside.has(j.file)));
        onProgress(batch);
      },
    });
    const kept = new Set(runs);
    for (const [run, key] of shown)
      if (!kept.has(run) && this.entries.get(key)?.run === run) this.entries.delete(key);
    // Two kept runs under one key: the later one stays, as when they were put in file order.
    for (const run of runs) {
      const key = shown.get(run);
      if (key !== undefined && this.entries.get(key)?.run !== run) this.put(run, false);
    }
    this.keepIssues(issues.filter((i) => !outside.has(i.file)));
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
    for (const job of jobs) listOf(this.jobs, job.file).push(job);
  }

  private keepIssues(issues: readonly ParseIssue[]): void {
    for (const issue of issues) listOf(this.issues, issue.file).push(issue);
  }

  private put(run: ParsedRun, notify: boolean, owner?: string | null): IndexedRun {
    if (owner !== undefined) run.owner = owner;
    const entry = indexedRun(this.dirs, run, this.status());
    const existed = this.entries.has(entry.key);
    this.entries.set(entry.key, entry);
    if (notify) this.emit({ kind: existed ? "updated" : "added", key: entry.key, entry });
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

  /** Calls `listener` on each batch of the first read and once when it is done. */
  subscribeProgress(listener: (progress: IndexProgress) => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
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
    const owners = await Promise.all(runs.map((run) => fileOwner(primaryFile(run))));
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
    const groups = this.groups.get(dir) ?? new Map<string, RunGroup>();
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
      this.put(run, true, before?.run.owner ?? (await fileOwner(primaryFile(run))));
    } else if (before) {
      this.entries.delete(key);
      this.emit({ kind: "removed", key });
    }
  }

  /**
   * The run of one group: a tracker's JSONL (text logs beside it) straight through the parser's
   * JSONL reader, the rest (text logs, a node agent's job records) through the parser on its files.
   */
  private async readGroup(dir: string, runId: string, group: RunGroup): Promise<ParsedRun | null> {
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

  /** Stops reading and watching. */
  close(): void {
    this.closed = true;
    this.stop.abort();
    this.progressListeners.clear();
    this.watcher?.close();
    if (this.statusTimer) clearInterval(this.statusTimer);
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    this.listeners.clear();
  }
}

/** The list kept under `key`, made empty on first use. */
function listOf<T>(map: Map<string, T[]>, key: string): T[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}
