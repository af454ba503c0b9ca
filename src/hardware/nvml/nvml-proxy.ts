// NVML through the NVML proxy (src/native/nvml-proxy.c), a process of its own: the same NvmlApi
// as the koffi binding, each call a request written to an exchange file and a SIGUSR1, its answer
// waited for on this thread up to a deadline. A driver call that never returns leaves the proxy
// stuck, never this thread: the call answers NVML_ERROR_TIMEOUT, and later calls wait only
// DEGRADED_TIMEOUT_MS until the proxy answers again. The CLI uses it instead of a sampler worker,
// which cost about 12 MB of memory (issue 16).
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import { signalChild } from "../../children/signal-child.js";
import { NVML_SUCCESS, nvmlReturnName } from "./nvml-codes.js";
import { decodeProcessInfos } from "./process-info.js";
import { cString, type AcquireResult, type NvmlApi, type NvmlHandle } from "./nvml-library.js";

const REQUEST_AT = 0;
const ANSWER_AT = 4096;
const TEXT_BYTES = 128;
const REQUEST_BYTES = 16 + TEXT_BYTES;
const ANSWER_HEADER_BYTES = 24;
/** The proxy's largest answer (a process list) and its trailing sequence. */
const MAX_ANSWER_BYTES = ANSWER_HEADER_BYTES + 65_536 + 4;
/** What a look for an answer reads first (bytes): the header and a short answer. */
const FIRST_READ_BYTES = 512;
const INIT_SEQUENCE = 0xffff_ffff;
/** The proxy's code for a library it could not load, or that lacks a function every NVML has. */
const LOAD_FAILED = -1;
const NVML_ERROR_TIMEOUT = 10;
/** Code of a call made after the proxy ended (nvmlReturn_t's UNKNOWN). */
const NVML_ERROR_UNKNOWN = 999;

/** The answer of a call made after the proxy ended. */
const ENDED: Answer = { rc: NVML_ERROR_UNKNOWN, value: 0n, bytes: Buffer.alloc(0) };

/** How long the proxy has to load the library and initialise it (ms): a first nvmlInit can take seconds. */
const INIT_TIMEOUT_MS = 20_000;
/** How long a call may take (ms) before it answers NVML_ERROR_TIMEOUT. */
const CALL_TIMEOUT_MS = 5_000;
/** Once a call has timed out (a hung driver), later calls wait only this long (ms). */
const DEGRADED_TIMEOUT_MS = 250;

const enum Op {
  Count = 1,
  HandleByIndex,
  HandleByUuid,
  Name,
  Uuid,
  Power,
  Energy,
  EnforcedLimit,
  ManagementLimit,
  ComputeProcesses,
  GraphicsProcesses,
  IsMig,
  MigParent,
  MaxMig,
  MigByIndex,
  DriverVersion,
  NvmlVersion,
  ErrorString,
  /** Not answered: the proxy shuts NVML down and ends. */
  Shutdown,
}

interface Answer {
  rc: number;
  value: bigint;
  bytes: Buffer;
  /** The CPU the energy counter's driver call took in the proxy (µs), in an answer the proxy wrote. */
  callUs?: number;
}

type NvmlResult<T> = { ok: true; value: T } | { ok: false; rc: number };

/** A started proxy: wait for its initialisation, with or without blocking this thread. */
export interface StartedNvmlProxy {
  /** Resolves once the proxy has loaded and initialised NVML (or could not). */
  initialized(): Promise<AcquireResult>;
  /** The same, blocking this thread until then. */
  initializedNow(): AcquireResult;
  /** Ends the proxy (a session it gave is then over too). */
  close(): void;
}

/** While a call is waited for, how often (ms) the proxy is looked for in /proc. */
const ALIVE_CHECK_MS = 20;

/** How a process ended, as its exit event says it: by a signal, or with a status. */
interface Ending {
  signal: NodeJS.Signals | null;
  code: number | null;
}

/** Signal numbers to names ("SIGSEGV"). */
const SIGNAL_NAMES = new Map(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

/**
 * How process `pid` ended, read from /proc while it is a zombie not yet reaped (its exit event
 * cannot come while this thread waits): the wait status is /proc/<pid>/stat's field 52. Undefined
 * while it runs; unknown (both null) when it is gone.
 */
function endingOf(pid: number | undefined): Ending | undefined {
  if (pid === undefined) return { signal: null, code: null };
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] !== "Z" && fields[0] !== "X") return undefined;
    const status = Number(fields[49]);
    if (!Number.isInteger(status)) return { signal: null, code: null };
    const signal = status & 0x7f;
    return signal === 0
      ? { signal: null, code: (status >> 8) & 0xff }
      : { signal: SIGNAL_NAMES.get(signal) ?? null, code: null };
  } catch {
    return { signal: null, code: null };
  }
}

/** Words for an ending: "SIGSEGV", "exit status 2". */
function endingText(ending: Ending): string {
  if (ending.signal) return ending.signal;
  return ending.code === null ? "how, unknown" : `exit status ${ending.code}`;
}

/** Sleeps this thread for `ms` without spinning. */
const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Where a process's answer is read from, and how its requests reach it. */
class Exchange {
  private readonly answer = Buffer.alloc(MAX_ANSWER_BYTES);
  private readonly request = Buffer.alloc(REQUEST_BYTES);
  private sequence = 0;
  /** Set once a call missed its deadline; cleared by the next answer in time. */
  private degraded = false;
  /** The proxy has ended, or was told to. */
  ended = false;
  /** The proxy has answered its start (before, it may be inside nvmlInit). */
  initialised = false;
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly child: ChildProcess,
  ) {}

  /** False once a call has missed its deadline, until one answers in time again. */
  get answersInTime(): boolean {
    return !this.degraded && !this.ended;
  }

  /** The answer of `sequence`, if the proxy has written it whole. */
  peek(sequence: number): Answer | undefined {
    if (this.closed) return undefined;
    // Most answers are a number or a name: a long one (a process list) is read whole after.
    let read = readSync(this.fd, this.answer, 0, FIRST_READ_BYTES, ANSWER_AT);
    if (read < ANSWER_HEADER_BYTES || this.answer.readUInt32LE(0) !== sequence) return undefined;
    const length = Math.min(this.answer.readUInt32LE(8), MAX_ANSWER_BYTES - ANSWER_HEADER_BYTES - 4);
    const end = ANSWER_HEADER_BYTES + length;
    if (read < end + 4) read = readSync(this.fd, this.answer, 0, end + 4, ANSWER_AT);
    if (read < end + 4 || this.answer.readUInt32LE(end) !== sequence) return undefined;
    return {
      rc: this.answer.readInt32LE(4),
      value: this.answer.readBigUInt64LE(16),
      callUs: this.answer.readUInt32LE(12),
      bytes: Buffer.from(this.answer.subarray(ANSWER_HEADER_BYTES, end)),
    };
  }

  /** Writes a request and wakes the proxy for it; its sequence number. */
  private send(op: Op, handle: number, argument: number, text: string): number {
    this.sequence = this.sequence === INIT_SEQUENCE - 1 ? 1 : this.sequence + 1;
    this.request.fill(0);
    this.request.writeUInt32LE(this.sequence, 0);
    this.request.writeUInt32LE(op, 4);
    this.request.writeUInt32LE(handle, 8);
    this.request.writeUInt32LE(argument >>> 0, 12);
    this.request.write(text.slice(0, TEXT_BYTES - 1), 16, "utf8");
    writeSync(this.fd, this.request, 0, REQUEST_BYTES, REQUEST_AT);
    if (!signalChild(this.child, "SIGUSR1")) this.ended = true;
    return this.sequence;
  }

  /** Makes one call and waits for its answer; NVML_ERROR_TIMEOUT when it is late. */
  call(op: Op, handle = 0, argument = 0, text = ""): Answer {
    if (this.ended) return ENDED;
    const sequence = this.send(op, handle, argument, text);
    const started = Date.now();
    let checkedAliveAt = started;
    const deadline = started + (this.degraded ? DEGRADED_TIMEOUT_MS : CALL_TIMEOUT_MS);
    // Answers come in about 0.1 ms: short sleeps first, up to 1 ms.
    for (let pauseMs = 0.02; ; pauseMs = Math.min(pauseMs * 2, 1)) {
      const answer = this.peek(sequence);
      if (answer) {
        this.degraded = false;
        return answer;
      }
      const now = Date.now();
      // A proxy that died (killed) is seen here, not at the deadline: its exit event cannot
      // come while this thread waits.
      if (now - checkedAliveAt >= ALIVE_CHECK_MS) {
        checkedAliveAt = now;
        if (endingOf(this.child.pid)) this.ended = true;
      }
      if (now > deadline) break;
      // Ended: looked for once more, as it may have answered just before.
      if (this.ended) return this.peek(sequence) ?? ENDED;
      sleepMs(pauseMs);
    }
    this.degraded = true;
    return { rc: NVML_ERROR_TIMEOUT, value: 0n, bytes: Buffer.alloc(0) };
  }

  /**
   * Ends the proxy and closes the exchange: a SHUTDOWN request, on which it shuts NVML down and
   * ends, or SIGKILL before it has answered its start or once a call has missed its deadline
   * (nvmlInit or a call may be keeping it).
   */
  close(): void {
    if (!this.ended) {
      if (this.degraded || !this.initialised) signalChild(this.child, "SIGKILL");
      else if (!this.closed) this.send(Op.Shutdown, 0, 0, "");
      this.ended = true;
    }
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

function apiOver(exchange: Exchange, path: string): NvmlApi {
  const scalar = <T>(answer: Answer, convert: (value: bigint) => T): NvmlResult<T> =>
    answer.rc === NVML_SUCCESS ? { ok: true, value: convert(answer.value) } : { ok: false, rc: answer.rc };
  const text = (answer: Answer): NvmlResult<string> =>
    answer.rc === NVML_SUCCESS ? { ok: true, value: cString(answer.bytes) } : { ok: false, rc: answer.rc };
  const handle = (value: NvmlHandle): number => (typeof value === "number" ? value : 0);
  const device = (answer: Answer): NvmlResult<NvmlHandle> => scalar(answer, Number);
  return {
    path,
    describe(rc) {
      if (exchange.ended) return `${nvmlReturnName(rc)} (code ${rc}; the NVML proxy has ended)`;
      // NVML's words, asked of the proxy only while it answers in time: a hung driver must not
      // slow every notice down.
      const answer = exchange.answersInTime ? exchange.call(Op.ErrorString, 0, rc) : undefined;
      const words =
        answer?.rc === NVML_SUCCESS && answer.bytes.length > 0 ? cString(answer.bytes) : undefined;
      return `${words ?? nvmlReturnName(rc)} (code ${rc})`;
    },
    deviceCount: () => scalar(exchange.call(Op.Count), Number),
    handleByIndex: (index) => device(exchange.call(Op.HandleByIndex, 0, index)),
    handleByUuid: (uuid) => device(exchange.call(Op.HandleByUuid, 0, 0, uuid)),
    name: (h) => text(exchange.call(Op.Name, handle(h))),
    uuid: (h) => text(exchange.call(Op.Uuid, handle(h))),
    powerMw: (h) => scalar(exchange.call(Op.Power, handle(h)), Number),
    energyMj: (h) => {
      const answer = exchange.call(Op.Energy, handle(h));
      const result = scalar(answer, (v) => v);
      return answer.callUs === undefined ? result : { ...result, cpuMs: answer.callUs / 1000 };
    },
    powerLimitMw(h) {
      const enforced = scalar(exchange.call(Op.EnforcedLimit, handle(h)), Number);
      return enforced.ok ? enforced : scalar(exchange.call(Op.ManagementLimit, handle(h)), Number);
    },
    processes(h, kind) {
      const answer = exchange.call(
        kind === "compute" ? Op.ComputeProcesses : Op.GraphicsProcesses,
        handle(h),
      );
      if (answer.rc !== NVML_SUCCESS) return { ok: false, rc: answer.rc };
      return { ok: true, value: decodeProcessInfos(answer.bytes, Number(answer.value)) };
    },
    isMigHandle: (h) => scalar(exchange.call(Op.IsMig, handle(h)), (v) => v !== 0n),
    migParent: (h) => device(exchange.call(Op.MigParent, handle(h))),
    maxMigDeviceCount: (h) => scalar(exchange.call(Op.MaxMig, handle(h)), Number),
    migHandleByIndex: (h, index) => device(exchange.call(Op.MigByIndex, handle(h), index)),
    driverVersion: () => text(exchange.call(Op.DriverVersion)),
    nvmlVersion: () => text(exchange.call(Op.NvmlVersion)),
  };
}

/** What the proxy's first answer means: a session over it, or why NVML is not there. */
function initOutcome(
  exchange: Exchange,
  path: string,
  answer: Answer | undefined,
  why?: { text: string; proxyFault: boolean },
): AcquireResult {
  if (!answer) {
    exchange.close();
    const reason = `the NVML proxy did not start NVML from ${path}: ${why?.text}`;
    return { ok: false, reason, stage: why?.proxyFault ? "proxy" : "init" };
  }
  if (answer.rc === LOAD_FAILED) {
    exchange.close();
    return {
      ok: false,
      reason: `cannot load the NVML library ${path}: ${cString(answer.bytes)}`,
      stage: "load",
    };
  }
  if (answer.rc !== NVML_SUCCESS) {
    exchange.close();
    const words = answer.bytes.length > 0 ? cString(answer.bytes) : nvmlReturnName(answer.rc);
    return {
      ok: false,
      reason: `nvmlInit_v2 in ${path} failed: ${words} (code ${answer.rc})`,
      stage: "init",
    };
  }
  // Exchange.close() is idempotent, so release() is too.
  return { ok: true, session: { api: apiOver(exchange, path), release: () => exchange.close() } };
}

/**
 * Starts the proxy `binary` on the NVML library at `path`, in `env` (the one detection reads). It
 * loads and initialises NVML while this thread goes on; initialized() or initializedNow() tell the
 * outcome. Never throws.
 */
export function startNvmlProxy(
  binary: string,
  path: string,
  env: Record<string, string | undefined> = process.env,
): StartedNvmlProxy {
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
    const failed: AcquireResult = {
      ok: false,
      reason: `the NVML proxy could not start: ${error instanceof Error ? error.message : String(error)}`,
      stage: "proxy",
    };
    return { initialized: () => Promise.resolve(failed), initializedNow: () => failed, close: () => {} };
  }
  const exchange = new Exchange(fd, child);
  // Why it ended before it answered; `proxyFault` where the program itself could not run or
  // gave up (an exit status: it exits only after answering otherwise), not where it was killed
  // (a crash inside nvmlInit may be the driver's, which a worker would meet too).
  let exitedWhy: { text: string; proxyFault: boolean } | undefined;
  const ended = (ending: Ending) => ({
    text: `it ended (${endingText(ending)})`,
    proxyFault: ending.signal === null,
  });
  child.once("error", (error) => {
    exitedWhy = { text: `it could not run (${error.message})`, proxyFault: true };
    exchange.ended = true;
  });
  child.once("exit", (code, signal) => {
    exitedWhy ??= ended({ signal, code });
    exchange.ended = true;
  });
  child.unref();
  let outcome: AcquireResult | undefined;
  let closed = false;
  const deadline = Date.now() + INIT_TIMEOUT_MS;
  const settle = (): AcquireResult | undefined => {
    if (outcome) return outcome;
    if (closed) return (outcome = { ok: false, reason: "the NVML proxy was closed", stage: "init" });
    // No pid: it was never started (its 'error' event is on its way).
    const ending = exitedWhy ? undefined : endingOf(child.pid);
    const why =
      exitedWhy ??
      (child.pid === undefined ? { text: "it could not run", proxyFault: true } : ending && ended(ending));
    // Looked for after the end was: a proxy that answers, then ends (a library it cannot load).
    const answer = exchange.peek(INIT_SEQUENCE);
    if (answer) {
      exchange.initialised = true;
      outcome = initOutcome(exchange, path, answer);
    } else if (why) outcome = initOutcome(exchange, path, undefined, why);
    else if (Date.now() > deadline) {
      const text = `no answer in ${INIT_TIMEOUT_MS / 1000} s (a driver that hangs in nvmlInit)`;
      outcome = initOutcome(exchange, path, undefined, { text, proxyFault: false });
    }
    return outcome;
  };
  return {
    initialized: async () => {
      for (let pauseMs = 1; ; pauseMs = Math.min(pauseMs * 2, 20)) {
        const settled = settle();
        if (settled) return settled;
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    },
    initializedNow: () => {
      for (let pauseMs = 0.05; ; pauseMs = Math.min(pauseMs * 2, 5)) {
        const settled = settle();
        if (settled) return settled;
        sleepMs(pauseMs);
      }
    },
    close: () => {
      closed = true;
      exchange.close();
    },
  };
}
