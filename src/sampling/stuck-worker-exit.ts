// A process whose sampler worker is stuck in a driver call for good (a lost GPU can block an
// NVML call for ever) could not end: Node joins every worker thread after the 'exit' listeners
// have run, and a thread inside a native call never joins. So while a sampler worker lives, an
// 'exit' listener looks at it: a worker still inside a reader call (CONTROL.busy) once a grace has
// passed since it was told to stop (or since the exit began) is stuck, and the process ends there
// through libc's _exit (called through koffi) with its exit code, after the 'exit' listeners that
// come after this one have run, as Node would have run them. The CLI, the Python engine and a Node
// program using the library all end this way; a worker that is not busy costs the exit nothing.
import { existsSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { CONTROL } from "./worker-protocol.js";

/** How long a reader call may still take, once the worker was told to stop, before it counts as stuck (ms). */
const STUCK_GRACE_MS = 2_000;

const STUCK_EXIT_MESSAGE =
  "carbontracker: a device read is stuck in its driver (the sampler thread did not stop); exiting without waiting for it.\n";

/** A live sampler worker, as the exit sees it. */
interface WatchedWorker {
  control: Int32Array;
  /** When it was told to stop (Unix ms); undefined while it samples. */
  stopAskedMs?: number;
}

/** What a sampler says about its worker. */
export interface WorkerWatch {
  /** The worker was told to stop: the grace runs from now. */
  stopAsked(): void;
  /** Its thread has ended: nothing to wait for. */
  ended(): void;
}

const watched = new Set<WatchedWorker>();

/** Watches the worker whose shared control words are `control` until its thread ends. */
export function watchWorkerAtExit(control: Int32Array): WorkerWatch {
  const worker: WatchedWorker = { control };
  if (watched.size === 0) process.on("exit", endPastStuckWorkers);
  watched.add(worker);
  return {
    stopAsked: () => {
      worker.stopAskedMs ??= Date.now();
    },
    ended: () => {
      watched.delete(worker);
      if (watched.size === 0) process.off("exit", endPastStuckWorkers);
    },
  };
}

/** How often the exit looks again whether a busy worker's thread has ended (ms). */
const THREAD_POLL_MS = 20;

/**
 * Whether `worker` is still inside a reader call once its grace is over (waits for it, up to
 * then). A thread that has ended is not stuck, even with `busy` left set: a worker terminated in
 * the middle of a reading's JavaScript never clears it.
 */
function stuck(worker: WatchedWorker): boolean {
  const deadline = (worker.stopAskedMs ?? Date.now()) + STUCK_GRACE_MS;
  for (let left = deadline - Date.now(); left > 0; left = deadline - Date.now()) {
    if (threadEnded(worker)) return false;
    const step = Math.min(left, THREAD_POLL_MS);
    if (Atomics.wait(worker.control, CONTROL.busy, 1, step) === "not-equal") return false;
  }
  return Atomics.load(worker.control, CONTROL.busy) === 1 && !threadEnded(worker);
}

/** Whether the worker's kernel thread is gone (false where its id is unknown). */
function threadEnded(worker: WatchedWorker): boolean {
  const thread = Atomics.load(worker.control, CONTROL.thread);
  return thread > 0 && !existsSync(`/proc/self/task/${thread}`);
}

function endPastStuckWorkers(code: number): void {
  if (![...watched].some(stuck)) return;
  const exitNow = libcExit();
  if (!exitNow) return;
  try {
    writeSync(2, STUCK_EXIT_MESSAGE);
  } catch {
    // stderr is closed: end all the same.
  }
  const listeners = process.listeners("exit");
  for (const listener of listeners.slice(listeners.indexOf(endPastStuckWorkers) + 1)) {
    try {
      listener.call(process, code);
    } catch (error) {
      // Node would report it and end; so do we, but without waiting for the thread.
      writeSync(2, `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
  }
  exitNow(process.exitCode === undefined ? code : Number(process.exitCode));
}

/** libc's _exit, or undefined where koffi cannot load (the process then waits, as Node does). */
function libcExit(): ((status: number) => void) | undefined {
  try {
    const koffi = createRequire(import.meta.url)("koffi") as typeof import("koffi");
    // null: the process itself, whose C library has _exit (glibc, musl and macOS alike).
    return koffi.load(null).func("void _exit(int)") as (status: number) => void;
  } catch {
    return undefined;
  }
}
