// Finds a command the way execvp would, so a missing command is one clear line (exit 127)
// before any tracking starts.
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The path the command resolves to, or undefined when it is not found or not executable. */
export function findCommand(command: string, env: NodeJS.ProcessEnv): string | undefined {
  if (command.includes("/")) return isExecutableFile(command) ? command : undefined;
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}
