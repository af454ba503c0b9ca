// A child process a test talks to while it runs: what it has printed so far, its exit, and a wait
// for a line it prints.
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";

export interface WatchedChild {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Its exit code and signal. */
  exited: Promise<[number | null, NodeJS.Signals | null]>;
  /** Whether it printed `line` (a whole line of stdout) within `ms`. */
  printed(line: string, ms: number): Promise<boolean>;
  /** Kills it if it still runs. */
  kill(): void;
}

/** Collects what `child` prints from now on. */
export function watchChild(child: ChildProcessWithoutNullStreams): WatchedChild {
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const hasLine = (line: string) => stdout.split("\n").includes(line);
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited: once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>,
    async printed(line, ms) {
      const deadline = Date.now() + ms;
      while (!hasLine(line) && Date.now() < deadline) await sleep(50);
      return hasLine(line);
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}
