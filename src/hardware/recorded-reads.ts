// Reads of kept-open files, and NVML power calls, that another process made earlier (the sample
// recorder, see sampling/sample-recorder.ts), handed back to the readers as if they made them
// now: a reader parses the recorded bytes (takes the recorded answer) with its own code, so a
// recorded sample and a live one cannot disagree. `openTextFile` and the NVML reader ask here
// before each read; outside a replay they read the hardware themselves.
import { constants } from "node:os";

/** What a recorder got from one file: its first `length` bytes, or the errno it failed with. */
export type RecordedRead = { bytes: Uint8Array; length: number; truncated: boolean } | { errno: number };

/** A file read during a trace, as the recorder must read it. */
export interface TracedFile {
  path: string;
  /** The bytes the reader reads from offset 0 (its head), or undefined for the whole file. */
  headBytes: number | undefined;
}

/** What a recorder got from one GPU's nvmlDeviceGetPowerUsage: its return code, and the power when it is 0. */
export interface RecordedNvmlPower {
  rc: number;
  milliwatts: number;
}

/** A GPU whose power a trace saw asked for, as the recorder must ask it. */
export interface TracedNvmlPower {
  /** The NVML library the reader loaded (the recorder loads the same). */
  library: string;
  nvmlIndex: number;
}

/** What a recorded sample holds: each file's read, each GPU's power call (by NVML index). */
export interface RecordedReads {
  reads: ReadonlyMap<string, RecordedRead>;
  nvmlPower: ReadonlyMap<number, RecordedNvmlPower>;
}

/** What a traced read did, for a recorder to do it again. */
export interface TracedReads<T> {
  result: T;
  files: TracedFile[];
  nvmlPower: TracedNvmlPower[];
  /**
   * Calls a recorder cannot make for the readers (NVML's energy counter, dear and needed live
   * at boundaries): a sample that needs them cannot be recorded.
   */
  liveOnly: string[];
}

let replaying: ReadonlyMap<string, RecordedRead> | undefined;
let replayingNvml: ReadonlyMap<number, RecordedNvmlPower> | undefined;
let tracing: Map<string, TracedFile> | undefined;
let tracingNvml: Map<number, TracedNvmlPower> | undefined;
let tracingLiveOnly: Set<string> | undefined;

/**
 * Runs `read` with each file and GPU of `recorded` answering from its recording. NVML calls that
 * were not recorded are not made (see replayingRecorded).
 */
export function replayRecorded<T>(recorded: RecordedReads, read: () => T): T {
  replaying = recorded.reads;
  replayingNvml = recorded.nvmlPower;
  try {
    return read();
  } finally {
    replaying = undefined;
    replayingNvml = undefined;
  }
}

/** Runs `read` and lists what it read that a recorder can read again: files (in the order first read) and GPUs' power. */
export function traceRecordableReads<T>(read: () => T): TracedReads<T> {
  const files = new Map<string, TracedFile>();
  const nvmlPower = new Map<number, TracedNvmlPower>();
  const liveOnly = new Set<string>();
  tracing = files;
  tracingNvml = nvmlPower;
  tracingLiveOnly = liveOnly;
  try {
    return {
      result: read(),
      files: [...files.values()],
      nvmlPower: [...nvmlPower.values()],
      liveOnly: [...liveOnly],
    };
  } finally {
    tracing = undefined;
    tracingNvml = undefined;
    tracingLiveOnly = undefined;
  }
}

/** True while a recorded sample is replayed: a reader then makes no call that was not recorded. */
export function replayingRecorded(): boolean {
  return replayingNvml !== undefined;
}

/**
 * For the NVML reader, before it asks a GPU's power: in a replay, the recorded answer (null: none
 * was recorded, so none is made); outside one, undefined (ask NVML), and the GPU is noted during
 * a trace.
 */
export function recordedNvmlPower(library: string, nvmlIndex: number): RecordedNvmlPower | null | undefined {
  if (tracingNvml !== undefined && !tracingNvml.has(nvmlIndex))
    tracingNvml.set(nvmlIndex, { library, nvmlIndex });
  if (replayingNvml === undefined) return undefined;
  return replayingNvml.get(nvmlIndex) ?? null;
}

/** For a reader making a call no recorder makes (`call` names it): a traced sample that made one is not recorded. */
export function noteLiveOnlyCall(call: string): void {
  tracingLiveOnly?.add(call);
}

/**
 * For `openTextFile`: the recorded read of `path` during a replay (undefined: read the file), and
 * notes the file during a trace. A recorded read cut short (a file longer than the recorder read
 * of one the reader reads whole) is not used: the file is read now instead.
 */
export function recordedRead(path: string, headBytes: number | undefined): RecordedRead | undefined {
  if (tracing !== undefined && !tracing.has(path)) tracing.set(path, { path, headBytes });
  if (replaying === undefined) return undefined;
  const read = replaying.get(path);
  return read !== undefined && "truncated" in read && read.truncated ? undefined : read;
}

let errnoNames: Map<number, string> | undefined;

/** The error a read that failed with `errno` throws, shaped as Node's own (`code`, `errno`, `path`). */
export function recordedReadError(path: string, errno: number): NodeJS.ErrnoException {
  errnoNames ??= new Map(Object.entries(constants.errno).map(([name, value]) => [value, name]));
  const code = errnoNames.get(errno) ?? `errno ${errno}`;
  return Object.assign(new Error(`${code}: read of ${path} failed (recorded)`), {
    code,
    errno: -errno,
    syscall: "read",
    path,
  });
}
