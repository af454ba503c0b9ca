// mkdir -p without Node's recursive mkdirSync, which spins at full CPU forever where a file system
// answers ENOENT for a new folder whose parent exists: under /proc or /sys (Node 20;
// `--log_dir /proc/x` hung the CLI). Here each missing folder is made once, and the first one the
// file system refuses throws its error.
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** Creates `path` and its missing parents (with `mode`, as mkdir applies it); throws Node's error of the first refused. */
export function makeFolder(path: string, mode?: number): void {
  const missing: string[] = [];
  let dir = resolve(path);
  for (; !existsSync(dir) && dirname(dir) !== dir; dir = dirname(dir)) missing.push(dir);
  // Something that is not a folder already there: mkdir's own EEXIST says so.
  if (missing.length === 0 && !statSync(dir).isDirectory()) mkdirSync(dir);
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder, mode === undefined ? undefined : { mode });
    } catch (error) {
      // Made meanwhile by another process: as good as made here.
      if (!((error as NodeJS.ErrnoException).code === "EEXIST" && statSync(folder).isDirectory()))
        throw error;
    }
  }
}
