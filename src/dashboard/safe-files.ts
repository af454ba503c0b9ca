// The only files the dashboard reads or serves are carbontracker logs inside the given folders:
// a name with no separator, a log file's name, and a real path (symlinks resolved) in the folder.
import { realpath, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { classifyLogName } from "../logs/parser/run-id.js";

/** Whether `path` (a file named in `root`) resolves, symlinks followed, to a file inside `root`. */
export async function insideFolder(root: string, path: string): Promise<boolean> {
  try {
    const [realRoot, real] = await Promise.all([realpath(root), realpath(path)]);
    return dirname(real) === realRoot && (await stat(real)).isFile();
  } catch {
    return false;
  }
}

/**
 * The file a `/files/<folder>/<name>` request may serve, or null: `folder` is the position of a
 * log folder, `name` one URL path segment naming a carbontracker log file directly in it.
 */
export async function servableLogFile(
  roots: readonly string[],
  folder: string,
  rawName: string,
): Promise<string | null> {
  if (!/^\d{1,4}$/.test(folder)) return null;
  const root = roots[Number(folder)];
  if (root === undefined) return null;
  let name: string;
  try {
    name = decodeURIComponent(rawName);
  } catch {
    return null;
  }
  if (name === "" || name === "." || name === ".." || /[/\\\0]/.test(name)) return null;
  if (!classifyLogName(name)) return null;
  const path = join(root, name);
  return (await insideFolder(root, path)) ? path : null;
}
