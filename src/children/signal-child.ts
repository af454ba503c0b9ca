// Signals a child process only where it runs. ChildProcess.kill() on a spawn that failed, before
// its 'error' event, calls kill() with whatever pid libuv holds: the error code (kill(-2, ...)
// after ENOENT, which signals process group 2) or garbage. Seen in this project's own tests.
import type { ChildProcess } from "node:child_process";

/** Sends `signal` to `child` if it was started and has not ended; whether it was sent. */
export function signalChild(child: ChildProcess, signal: NodeJS.Signals): boolean {
  const pid = child.pid;
  if (pid === undefined || pid <= 0 || child.exitCode !== null || child.signalCode !== null) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false; // gone meanwhile
  }
}
