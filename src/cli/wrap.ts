// Runs the user's command under the tracker: spawned without a shell, stdio passed through,
// SIGINT/SIGTERM/SIGHUP forwarded, epochs marked over the IPC socket (the whole run one epoch
// when it marks none), and the child's exit status kept (128+n when it died of signal n; the
// original swallows it).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { constants } from "node:os";
import { signalChild } from "../children/signal-child.js";
import { childEnv } from "./child-env.js";
import { EpochDriver, type EpochDriverHooks, type TrackerHolder } from "./epoch-driver.js";
import { openIpcServer, type IpcServer } from "./ipc-server.js";
import { releaseMappedFilePagesLater } from "./release-mapped-pages.js";

/** Signals passed on to the child. */
const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Whether this process is in the foreground process group of its controlling terminal (Linux,
 * /proc/self/stat: pgrp == tpgid). Then a Ctrl-C reaches the child (same group) from the
 * terminal itself, and forwarding it too would interrupt the child's own clean-up a second time.
 */
function inTerminalForeground(stat = () => readFileSync("/proc/self/stat", "utf8")): boolean {
  try {
    const text = stat();
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const [pgrp, tpgid] = [Number(fields[2]), Number(fields[5])];
    return tpgid > 0 && pgrp === tpgid;
  } catch {
    return false;
  }
}

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
function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal) return 128 + (constants.signals[signal] ?? 0);
  return 1;
}

/** How runWrapped runs the command. */
export interface WrapOptions {
  env: NodeJS.ProcessEnv;
  /** The epoch now running or finished last (for the live view). */
  onEpoch?: (epoch: number) => void;
  /** Whether the user answered "n" at the stop-and-confirm question. */
  userStopped?: () => boolean;
  /** Applies the options of a program's own CarbonTracker(...) (see EpochDriverHooks). */
  configure?: EpochDriverHooks["configure"];
  /** A line for the console. */
  note?: (text: string) => void;
  /**
   * Starts the tracker around the spawn: called right before it, to read what must be read
   * before the command starts (the counters' baseline); the function it returns is called right
   * after it, in the same tick (no epoch mark or exit is handled before), and builds the tracker
   * while the command runs.
   */
  startAroundSpawn: () => () => void;
}

/**
 * Spawns the command, tracks its epochs, stops the tracker when it ends and returns its exit
 * code (0 when it ended on the SIGTERM sent because the user chose to stop). Rejects with
 * SpawnFailure when it cannot start, and with the tracker's error (after ending the command)
 * when startAroundSpawn cannot build it.
 */
export async function runWrapped(
  holder: TrackerHolder,
  command: string[],
  options: WrapOptions,
): Promise<number> {
  const [file, ...args] = command as [string, ...string[]];
  let stoppedByUser = false;
  let child: ReturnType<typeof spawn> | undefined;
  const driver = new EpochDriver(holder, {
    onEpoch: options.onEpoch,
    userStopped: options.userStopped,
    configure: options.configure,
    note: options.note,
    onUserStop: () => {
      stoppedByUser = true;
      if (child) signalChild(child, "SIGTERM");
    },
  });
  const server: IpcServer = await openIpcServer((m) => driver.handle(m));
  return new Promise((resolve, reject) => {
    let receivedSignal: NodeJS.Signals | undefined;
    const env = childEnv(options.env, server.path);
    let built: () => void;
    try {
      built = options.startAroundSpawn();
    } catch (error) {
      server.close();
      reject(error);
      return;
    }
    const running = spawn(file, args, { stdio: "inherit", shell: false, env });
    child = running;
    try {
      built();
    } catch (error) {
      server.close();
      signalChild(running, "SIGTERM");
      running.once("error", () => undefined);
      running.once("close", () => reject(error));
      if (running.pid === undefined) reject(error);
      return;
    }
    driver.begin();
    releaseMappedFilePagesLater();
    const forward = (signal: NodeJS.Signals) => {
      receivedSignal = signal;
      // A terminal's Ctrl-C already went to the whole foreground group, the child included.
      if (signal === "SIGINT" && inTerminalForeground()) return;
      signalChild(running, signal);
    };
    for (const signal of FORWARDED) process.on(signal, forward);
    const cleanup = () => {
      for (const signal of FORWARDED) process.off(signal, forward);
      server.close();
    };
    running.once("error", (error: NodeJS.ErrnoException) => {
      cleanup();
      if (error.code === "ENOENT") reject(new SpawnFailure(127, `command not found: ${file}`));
      else if (error.code === "EACCES")
        reject(new SpawnFailure(126, `permission denied: ${file} is not executable`));
      else reject(new SpawnFailure(126, `cannot run ${file}: ${error.message}`));
    });
    running.once("exit", (code, signal) => {
      cleanup();
      const finish = async () => {
        if (receivedSignal || (signal && !stoppedByUser)) holder.tracker.setEndReason("signal");
        await driver.end();
        await holder.tracker.stop(receivedSignal || (signal && !stoppedByUser) ? "signal" : "stopped");
        resolve(stoppedByUser && signal === "SIGTERM" ? 0 : exitCodeOf(code, signal));
      };
      finish().catch(reject);
    });
  });
}
