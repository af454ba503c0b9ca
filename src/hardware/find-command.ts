// Finds a program the way a shell (execvp) would: a name with a slash is a path, otherwise the
// first executable file on PATH. Shared by the powermetrics backend, doctor and the CLI.
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";

function isExecutableFile(path: string): boolean {
  try {
    // Most PATH entries lack the command: no ENOENT thrown (an Error with a stack) for each.
    if (!statSync(path, { throwIfNoEntry: false })?.isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The absolute path `command` resolves to on `pathVariable`, or null when nothing executable is found. */
export function findCommand(
  command: string,
  pathVariable: string | undefined,
  cwd = process.cwd(),
): string | null {
  if (command.includes("/")) {
    const path = isAbsolute(command) ? command : resolve(cwd, command);
    return isExecutableFile(path) ? path : null;
  }
  for (const dir of (pathVariable ?? "").split(delimiter)) {
    if (dir.length === 0) continue;
    const candidate = join(dir, command);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}
