// Finds a program the way a shell would, so doctor can say "not found" before running anything.
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";

function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A command name resolved on `pathVariable` (a name with a slash is a path), or null. */
export function findCommand(command: string, pathVariable: string | undefined): string | null {
  if (command.includes("/")) {
    const path = isAbsolute(command) ? command : resolve(command);
    return executable(path) ? path : null;
  }
  for (const dir of (pathVariable ?? "").split(delimiter)) {
    if (dir && executable(join(dir, command))) return join(dir, command);
  }
  return null;
}
