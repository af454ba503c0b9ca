// What the log folders hold when the dashboard starts: each run's log files by run id (a symlink
// leading out of its folder left out), the folders holding no log file (read as console
// captures), and every name, the baseline the watcher compares against.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { classifyLogName, type LogFileKind } from "../logs/parser/run-id.js";

/** The log files of one run in one folder, by kind. */
export type RunGroup = Map<LogFileKind, string>;

/** The folders' contents. */
export interface FolderListing {
  /** Folder → run id → its files' names. */
  groups: Map<string, Map<string, RunGroup>>;
  /** Folders without a carbontracker log name: the parser reads their text files as captures. */
  captureDirs: Set<string>;
  /** Paths of log-named symlinks that lead out of their folder: never read. */
  outside: Set<string>;
  /** Folder → every name in it. */
  names: Map<string, Set<string>>;
}

/**
 * Lists the folders (an unreadable one holds nothing); `linkInside` says whether a log-named
 * symlink stays inside its folder (and notes it when not).
 */
export async function listFolders(
  dirs: readonly string[],
  linkInside: (dir: string, name: string) => Promise<boolean>,
): Promise<FolderListing> {
  const listing: FolderListing = {
    groups: new Map(),
    captureDirs: new Set(),
    outside: new Set(),
    names: new Map(),
  };
  for (const dir of dirs) {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
    const groups = new Map<string, RunGroup>();
    listing.groups.set(dir, groups);
    if (!entries) continue;
    listing.names.set(dir, new Set(entries.map((e) => e.name)));
    let logNames = 0;
    for (const entry of entries) {
      const kind = classifyLogName(entry.name);
      if (!kind) continue;
      logNames++;
      if (entry.isSymbolicLink() && !(await linkInside(dir, entry.name))) {
        listing.outside.add(join(dir, entry.name));
        continue;
      }
      const group = groups.get(kind.runId) ?? new Map<LogFileKind, string>();
      groups.set(kind.runId, group.set(kind.kind, entry.name));
    }
    if (logNames === 0) listing.captureDirs.add(dir);
  }
  return listing;
}
