// Starts one NVML proxy process (src/native/nvml-proxy.c) and tells, without blocking, how its
// start went: its first answer (nvmlInit's return code, or the loader's words), or why it gave
// none. A first start and a restart (proxy-link.ts) go through here alike.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NVML_SUCCESS, nvmlReturnName } from "./nvml-codes.js";
import { cString } from "./nvml-library.js";
import {
  endingOf,
  endingText,
  Exchange,
  INIT_SEQUENCE,
  LOAD_FAILED,
  sleepMs,
  type Answer,
  type Ending,
} from "./proxy-exchange.js";

/** How long the proxy has to load the library and initialise it (ms): a first nvmlInit can take seconds. */
const INIT_TIMEOUT_MS = 20_000;

/**
 * Why a proxy gave no first answer; `proxyFault` where the program itself could not run or gave
 * up (an exit status: it exits only after answering otherwise), not where it was killed (a crash
 * inside nvmlInit may be the driver's, which a worker would meet too).
 */
interface NoAnswer {
  text: string;
  proxyFault: boolean;
}

/** How a start went: the proxy's first answer, or why it gave none. */
export type StartOutcome =
  { answer: Answer; noAnswer?: undefined } | { answer?: undefined; noAnswer: NoAnswer };

/** A proxy process being started. */
export interface ProxyLaunch {
  readonly exchange: Exchange;
  /** The outcome once known; undefined while the proxy may still answer (INIT_TIMEOUT_MS). */
  settle(): StartOutcome | undefined;
}

/**
 * Spawns the proxy `binary` on the NVML library at `path`, in `env`; `onExit` is called on the
 * event loop once its process has ended. The spawn's own error (no such program) is returned.
 */
export function launchProxy(
  binary: string,
  path: string,
  env: Record<string, string | undefined>,
  onExit?: (exchange: Exchange) => void,
): ProxyLaunch | { error: string } {
  let fd: number;
  let child: ChildProcess;
  try {
    const dir = mkdtempSync(join(tmpdir(), "carbontracker-nvml-"));
    try {
      fd = openSync(join(dir, "exchange"), "w+", 0o600);
      child = spawn(binary, [String(process.pid), path], { env, stdio: ["ignore", "ignore", "ignore", fd] });
    } finally {
      // The proxy holds the file open: nothing is left behind, whatever happens next.
      rmSync(dir, { recursive: true, force: true });
    }
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  const exchange = new Exchange(fd, child);
  let exitedWhy: NoAnswer | undefined;
  const ended = (ending: Ending): NoAnswer => ({
    text: `it ended (${endingText(ending)})`,
    proxyFault: ending.signal === null,
  });
  child.once("error", (error) => {
    exitedWhy = { text: `it could not run (${error.message})`, proxyFault: true };
    exchange.ended = true;
  });
  child.once("exit", (code, signal) => {
    const ending = { signal, code };
    exitedWhy ??= ended(ending);
    exchange.ending ??= ending;
    exchange.ended = true;
    onExit?.(exchange);
  });
  child.unref();
  let outcome: StartOutcome | undefined;
  const deadline = Date.now() + INIT_TIMEOUT_MS;
  return {
    exchange,
    settle() {
      if (outcome) return outcome;
      // No pid: it was never started (its 'error' event is on its way).
      const ending = exitedWhy ? undefined : endingOf(child.pid);
      const why =
        exitedWhy ??
        (child.pid === undefined ? { text: "it could not run", proxyFault: true } : ending && ended(ending));
      // Looked for after the end was: a proxy that answers, then ends (a library it cannot load).
      const answer = exchange.peek(INIT_SEQUENCE);
      if (answer) {
        exchange.initialised = true;
        outcome = { answer };
      } else if (why) outcome = { noAnswer: why };
      else if (Date.now() > deadline) {
        const text = `no answer in ${INIT_TIMEOUT_MS / 1000} s (a driver that hangs in nvmlInit)`;
        outcome = { noAnswer: { text, proxyFault: false } };
      }
      return outcome;
    },
  };
}

/** Why a start gave no session: its words, and the stage that failed (AcquireResult's); undefined for a good one. */
export function startFailure(
  path: string,
  started: StartOutcome,
): { reason: string; stage: "load" | "init" | "proxy" } | undefined {
  if (started.noAnswer) {
    const reason = `the NVML proxy did not start NVML from ${path}: ${started.noAnswer.text}`;
    return { reason, stage: started.noAnswer.proxyFault ? "proxy" : "init" };
  }
  const { answer } = started;
  if (answer.rc === LOAD_FAILED)
    return { reason: `cannot load the NVML library ${path}: ${cString(answer.bytes)}`, stage: "load" };
  if (answer.rc === NVML_SUCCESS) return undefined;
  const words = answer.bytes.length > 0 ? cString(answer.bytes) : nvmlReturnName(answer.rc);
  return { reason: `nvmlInit_v2 in ${path} failed: ${words} (code ${answer.rc})`, stage: "init" };
}

/** The launch's outcome, waited for on this thread (without spinning) until `untilMs` at the latest. */
export function settleBy(launch: ProxyLaunch, untilMs: number): StartOutcome | undefined {
  for (let pauseMs = 0.05; ; pauseMs = Math.min(pauseMs * 2, 5)) {
    const settled = launch.settle();
    if (settled || Date.now() >= untilMs) return settled;
    sleepMs(pauseMs);
  }
}
