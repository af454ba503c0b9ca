// Reads of kept-open files that another process made earlier (the sample recorder, see
// sampling/sample-recorder.ts), handed back to the readers as if they read the files now: a
// reader parses the recorded bytes with its own code, so a recorded sample and a live one cannot
// disagree. `openTextFile` asks here before each read; outside a replay it reads the file itself.
import { constants } from "node:os";

/** What a recorder got from one file: its first `length` bytes, or the errno it failed with. */
export type RecordedRead = { bytes: Uint8Array; length: number; truncated: boolean } | { errno: number };

/** A file read during a trace, as the recorder must read it. */
export interface TracedFile {
  path: string;
  /** The bytes the reader reads from offset 0 (its head), or undefined for the whole file. */
  headBytes: number | undefined;
}

let replaying: ReadonlyMap<string, RecordedRead> | undefined;
let tracing: Map<string, TracedFile> | undefined;

/** Runs `read` with each file of `reads` answering from its recorded read. */
export function replayFileReads<T>(reads: ReadonlyMap<string, RecordedRead>, read: () => T): T {
  replaying = reads;
  try {
    return read();
  } finally {
    replaying = undefined;
  }
}

/** Runs `read` and lists the kept-open files it read, in the order first read. */
export function traceFileReads<T>(read: () => T): { result: T; files: TracedFile[] } {
  const seen = new Map<string, TracedFile>();
  tracing = seen;
  try {
    return { result: read(), files: [...seen.values()] };
  } finally {
    tracing = undefined;
  }
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
