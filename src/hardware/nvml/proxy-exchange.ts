// The NVML proxy's exchange with this thread (the wire; src/native/nvml-proxy.c says its layout):
// a request written to the exchange file and a SIGUSR1, its answer waited for on this thread up
// to a deadline. A driver call that never returns leaves the proxy stuck, never this thread: the
// call answers NVML_ERROR_TIMEOUT, and later calls wait only DEGRADED_TIMEOUT_MS until the proxy
// answers again.
import type { ChildProcess } from "node:child_process";
import { closeSync, readFileSync, readSync, writeSync } from "node:fs";
import { constants } from "node:os";
import { signalChild } from "../../children/signal-child.js";

const REQUEST_AT = 0;
const ANSWER_AT = 4096;
const TEXT_BYTES = 128;
const REQUEST_BYTES = 16 + TEXT_BYTES;
const ANSWER_HEADER_BYTES = 24;
/** The proxy's largest answer (a process list) and its trailing sequence. */
const MAX_ANSWER_BYTES = ANSWER_HEADER_BYTES + 65_536 + 4;
/** What a look for an answer reads first (bytes): the header and a short answer. */
const FIRST_READ_BYTES = 512;
export const INIT_SEQUENCE = 0xffff_ffff;
/** The proxy's code for a library it could not load, or that lacks a function every NVML has. */
export const LOAD_FAILED = -1;
const NVML_ERROR_TIMEOUT = 10;
/** Code of a call made after the proxy ended (nvmlReturn_t's UNKNOWN). */
const NVML_ERROR_UNKNOWN = 999;

/** The answer of a call made after the proxy ended. */
export const ENDED: Answer = { rc: NVML_ERROR_UNKNOWN, value: 0n, bytes: Buffer.alloc(0) };

/** How long a call may take (ms) before it answers NVML_ERROR_TIMEOUT. */
export const CALL_TIMEOUT_MS = 5_000;
/** Once a call has timed out (a hung driver), later calls wait only this long (ms). */
const DEGRADED_TIMEOUT_MS = 250;

export const enum Op {
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

export interface Answer {
  rc: number;
  value: bigint;
  bytes: Buffer;
  /** The CPU the energy counter's driver call took in the proxy (µs), in an answer the proxy wrote. */
  callUs?: number;
}

/** While a call is waited for, how often (ms) the proxy is looked for in /proc. */
const ALIVE_CHECK_MS = 20;

/** How a process ended, as its exit event says it: by a signal, or with a status. */
export interface Ending {
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
export function endingOf(pid: number | undefined): Ending | undefined {
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
export function endingText(ending: Ending): string {
  if (ending.signal) return ending.signal;
  return ending.code === null ? "how, unknown" : `exit status ${ending.code}`;
}

/** Sleeps this thread for `ms` without spinning. */
const sleeper = new Int32Array(new SharedArrayBuffer(4));
export function sleepMs(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Where a process's answer is read from, and how its requests reach it. */
export class Exchange {
  private readonly answer = Buffer.alloc(MAX_ANSWER_BYTES);
  private readonly request = Buffer.alloc(REQUEST_BYTES);
  private sequence = 0;
  /** Set once a call missed its deadline; cleared by the next answer in time. */
  private degraded = false;
  /** The proxy has ended, or was told to. */
  ended = false;
  /** How its process ended, once seen (its exit event, or /proc while a call waited). */
  ending: Ending | undefined;
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
        const ending = endingOf(this.child.pid);
        if (ending) {
          this.ended = true;
          this.ending ??= ending;
        }
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
