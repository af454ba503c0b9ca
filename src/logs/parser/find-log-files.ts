// Which files the paths name: a run's log files grouped by run id (never by sorted position, so
// an orphan stays alone instead of being paired with another run's file), and console captures.
// Folders are read one level deep, as the original reads its log folder.
import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, dirname, extname, resolve, sep } from "node:path";
import { classifyLogName, type LogFileKind } from "./run-id.js";
import type { ParseIssue } from "./types.js";

/** The files of one run found in one folder. */
export interface RunFileGroup {
  dir: string;
  runId: string;
  files: Partial<Record<LogFileKind, string>>;
}

/** What the paths hold. */
export interface FoundFiles {
  groups: RunFileGroup[];
  /** Console captures to read: named files, and text files of folders without log files. */
  captures: Set<string>;
  /** Captures named on their own (a note is due when they hold no block). */
  named: Set<string>;
  /** Text files beside log files: read only to say they were passed over. */
  beside: Set<string>;
  /** Paths that could not be read at all (severity `error`). */
  issues: ParseIssue[];
}

const CAPTURE_EXTENSIONS = new Set(["", ".out", ".txt", ".log", ".err", ".stdout", ".ipynb"]);

/** `join(dir, name)` for a resolved folder and a name from its listing, without normalizing again. */
function inFolder(dir: string, name: string): string {
  return dir.endsWith(sep) ? `${dir}${name}` : `${dir}${sep}${name}`;
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return code ?? String(error);
}

/** Finds the log files and captures under the paths; never throws. */
export async function findLogFiles(paths: readonly string[]): Promise<FoundFiles> {
  const found: FoundFiles = {
    groups: [],
    captures: new Set(),
    named: new Set(),
    beside: new Set(),
    issues: [],
  };
  const groups = new Map<string, RunFileGroup>();
  const listed = new Map<string, Dirent[]>();
  const list = async (dir: string): Promise<Dirent[]> => {
    let entries = listed.get(dir);
    if (!entries) listed.set(dir, (entries = await readdir(dir, { withFileTypes: true })));
    return entries;
  };
  // A folder's log names by run id, made once: each named file then finds its run's other files
  // at once instead of scanning the whole listing (10,000 named files would be 10^8 names).
  const byRun = new Map<string, Map<string, string[]>>();
  const namesOfRun = async (dir: string, runId: string): Promise<string[]> => {
    let runs = byRun.get(dir);
    if (!runs) {
      runs = new Map();
      for (const entry of await list(dir)) {
        const id = classifyLogName(entry.name)?.runId;
        if (id !== undefined) runs.set(id, [...(runs.get(id) ?? []), entry.name]);
      }
      byRun.set(dir, runs);
    }
    return runs.get(runId) ?? [];
  };
  const addLog = (dir: string, name: string): boolean => {
    const kind = classifyLogName(name);
    if (!kind) return false;
    const key = `${dir}\u0000${kind.runId}`;
    const group = groups.get(key) ?? { dir, runId: kind.runId, files: {} };
    group.files[kind.kind] = inFolder(dir, name);
    groups.set(key, group);
    return true;
  };
  const error = (file: string, message: string) => found.issues.push({ file, message, severity: "error" });

  for (const raw of paths) {
    const path = resolve(raw);
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch (e) {
      error(raw, `cannot read: ${describe(e)}`);
      continue;
    }
    if (isDirectory) {
      let entries: Dirent[];
      try {
        entries = await list(path);
      } catch (e) {
        error(raw, `cannot list folder: ${describe(e)}`);
        continue;
      }
      const others: string[] = [];
      let logs = 0;
      for (const entry of entries) {
        if (!entry.isFile() && !entry.isSymbolicLink()) continue;
        if (addLog(path, entry.name)) logs++;
        else if (CAPTURE_EXTENSIONS.has(extname(entry.name).toLowerCase()))
          others.push(inFolder(path, entry.name));
      }
      // Beside log files, console output is most likely the same runs again: read only when named.
      for (const other of others) {
        if (!found.captures.has(other)) (logs > 0 ? found.beside : found.captures).add(other);
      }
      continue;
    }
    const runId = classifyLogName(basename(path))?.runId;
    if (runId === undefined) {
      found.captures.add(path);
      found.named.add(path);
      found.beside.delete(path);
      continue;
    }
    // A log file named alone brings the other files of its run.
    const dir = dirname(path);
    try {
      for (const name of await namesOfRun(dir, runId)) addLog(dir, name);
    } catch {
      addLog(dir, basename(path));
    }
  }
  found.groups = [...groups.values()];
  return found;
}
