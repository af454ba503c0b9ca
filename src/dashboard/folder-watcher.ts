// Tells the index which files of the log folders changed: fs.watch where the system offers it,
// plus a poll that also covers what fs.watch cannot see (a folder on NFS written by another node,
// a system out of inotify watches): the listing, and the files of runs still going.
import { watch, type FSWatcher } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, dirname } from "node:path";

/** What to watch and whom to tell. */
export interface FolderWatcherOptions {
  dirs: readonly string[];
  /** A file was added, removed or written (a name inside `dir`). */
  onChange: (dir: string, name: string) => void;
  /** Paths of files to stat on every poll (the files of runs that are still going). */
  hotFiles: () => readonly string[];
  /** `fs`: fs.watch, the listing polled every `listEveryMs`; `poll`: polling alone. */
  mode?: "fs" | "poll";
  /** How often hot files are stat'ed (ms, default 500). */
  pollMs?: number;
  /** How often each folder is listed when fs.watch works (ms, default 5000). */
  listEveryMs?: number;
  /** fs.watch failed on a folder: it is polled from now on. */
  onFallback?: (dir: string, reason: string) => void;
}

interface FolderState {
  dir: string;
  watcher: FSWatcher | undefined;
  names: Set<string> | undefined;
  listedAt: number;
}

/** Watches the folders until close(). */
export class FolderWatcher {
  private readonly folders: FolderState[];
  private readonly seen = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private closed = false;

  constructor(private readonly options: FolderWatcherOptions) {
    this.folders = options.dirs.map((dir) => ({ dir, watcher: undefined, names: undefined, listedAt: 0 }));
  }

  /** Takes the folders' current listing as the baseline and starts watching. */
  async start(): Promise<void> {
    for (const folder of this.folders) {
      folder.names = await this.list(folder.dir);
      folder.listedAt = Date.now();
      if (this.options.mode !== "poll") this.watchFolder(folder);
    }
    for (const file of this.options.hotFiles()) this.seen.set(file, await this.signature(file));
    this.timer = setInterval(() => void this.poll(), this.options.pollMs ?? 500);
    this.timer.unref();
  }

  private watchFolder(folder: FolderState): void {
    try {
      folder.watcher = watch(folder.dir, { persistent: false }, (_event, name) => {
        if (name) this.options.onChange(folder.dir, String(name));
        else folder.listedAt = 0;
      });
      folder.watcher.on("error", (error) => this.fallBack(folder, error));
    } catch (error) {
      this.fallBack(folder, error);
    }
  }

  private fallBack(folder: FolderState, error: unknown): void {
    folder.watcher?.close();
    folder.watcher = undefined;
    folder.listedAt = 0;
    const reason = (error as NodeJS.ErrnoException)?.code ?? String(error);
    this.options.onFallback?.(folder.dir, reason);
  }

  private async list(dir: string): Promise<Set<string>> {
    try {
      return new Set(await readdir(dir));
    } catch {
      return new Set();
    }
  }

  private async signature(file: string): Promise<string> {
    try {
      const info = await stat(file);
      return `${info.size}:${info.mtimeMs}`;
    } catch {
      return "gone";
    }
  }

  private async poll(): Promise<void> {
    if (this.busy || this.closed) return;
    this.busy = true;
    try {
      const now = Date.now();
      for (const folder of this.folders) {
        const every = folder.watcher ? (this.options.listEveryMs ?? 5000) : (this.options.pollMs ?? 500);
        if (now - folder.listedAt < every) continue;
        const names = await this.list(folder.dir);
        folder.listedAt = now;
        const before = folder.names ?? new Set<string>();
        for (const name of names) if (!before.has(name)) this.options.onChange(folder.dir, name);
        for (const name of before) if (!names.has(name)) this.options.onChange(folder.dir, name);
        folder.names = names;
      }
      const hot = this.options.hotFiles();
      for (const file of hot) {
        const signature = await this.signature(file);
        const previous = this.seen.get(file);
        this.seen.set(file, signature);
        // A file newly hot may have grown since the index read it: one re-read settles it.
        if (previous !== signature) {
          this.options.onChange(dirname(file), basename(file));
        }
      }
      const keep = new Set(hot);
      for (const file of this.seen.keys()) if (!keep.has(file)) this.seen.delete(file);
    } finally {
      this.busy = false;
    }
  }

  /** Stops watching and polling. */
  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const folder of this.folders) folder.watcher?.close();
  }
}
