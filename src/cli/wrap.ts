// Runs the user's command under the tracker: spawned without a shell, stdio passed through,
// SIGINT/SIGTERM/SIGHUP forwarded, the whole run one epoch, and the child's exit status kept
// (128+n when it died of signal n; the original swallows it).
import { spawn } from "node:child_process";
import { constants } from "node:os";
import type { CarbonTracker } from "../tracker/carbon-tracker.js";

/** Signals passed on to the child. */
const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** Exit status for a command that could not be started. */
export class SpawnFailure extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Exit code of a child that ended with `code` or was killed by `signal`. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal) return 128 + (constants.signals[signal] ?? 0);
  return 1;
}

/**
 * Spawns the command, tracks it as one epoch (unless an epoch driver marks epochs), stops the
 * tracker when it ends and returns its exit code. Rejects with SpawnFailure when it cannot start.
 */
export function runWrapped(
  tracker: CarbonTracker,
  command: string[],
  options: { env: NodeJS.ProcessEnv; trackEpochs: boolean; onChildStarted?: (pid: number) => void },
): Promise<number> {
  const [file, ...args] = command as [string, ...string[]];
  return new Promise((resolve, reject) => {
    let receivedSignal: NodeJS.Signals | undefined;
    if (options.trackEpochs) tracker.epochStart();
    const child = spawn(file, args, { stdio: "inherit", shell: false, env: options.env });
    const forward = (signal: NodeJS.Signals) => {
      receivedSignal = signal;
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    for (const signal of FORWARDED) process.on(signal, forward);
    const cleanup = () => {
      for (const signal of FORWARDED) process.off(signal, forward);
    };
    child.once("spawn", () => {
      if (child.pid !== undefined) options.onChildStarted?.(child.pid);
    });
    child.once("error", (error: NodeJS.ErrnoException) => {
      cleanup();
      if (error.code === "ENOENT") reject(new SpawnFailure(127, `command not found: ${file}`));
      else if (error.code === "EACCES")
        reject(new SpawnFailure(126, `permission denied: ${file} is not executable`));
      else reject(new SpawnFailure(126, `cannot run ${file}: ${error.message}`));
    });
    child.once("exit", (code, signal) => {
      cleanup();
      if (options.trackEpochs) tracker.epochEnd();
      void tracker.stop(receivedSignal || signal ? "signal" : "stopped");
      resolve(exitCodeOf(code, signal));
    });
  });
}
