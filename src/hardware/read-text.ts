// Reads small sysfs/procfs files without ever blocking on open: a FIFO or a stuck file put in
// its place must not hang the sampler thread (and with it the process's exit). Files read on
// every sample stay open and are read again at offset 0 (pread), as the kernel regenerates
// their text on each read.
import {
  close,
  closeSync,
  constants,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  statfsSync,
} from "node:fs";
import { recordedRead, recordedReadError } from "./recorded-reads.js";

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** Bytes first tried for one read; a longer file doubles the buffer until it fits. */
const INITIAL_BYTES = 256;

/** statfs types of the file systems the kernel generates on each read: sysfs and procfs. */
const KERNEL_FILE_SYSTEMS = new Set([0x62656572, 0x9fa0]);

/** The file's text, opened with O_NONBLOCK (a FIFO without a writer reads as empty). */
export function readTextNonBlocking(path: string): string {
  const fd = openSync(path, FLAGS);
  try {
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}

/** Parses a file's bytes: `bytes[0..length)`, valid only during the call (the buffer is reused). */
export type BytesParser<T> = (bytes: Uint8Array, length: number) => T;

/** A file read again and again, kept open between reads. */
export interface TextFile {
  readonly path: string;
  /** The text now (its first `headBytes` bytes, when given). Throws Node-style errors (`code`) as an open or read would. */
  read(): string;
  /**
   * Reads as `read` does and hands the bytes to `parse` without making a string: what a sampler
   * does once a second stays small (see issue 16's steady bench).
   */
  readWith<T>(parse: BytesParser<T>): T;
  /** Closes the descriptor; a later read opens the file again. */
  close(): void;
}

/** Hands a text already read (a fallback, a test's fixture) to a bytes parser. */
export function parseTextWith<T>(text: string, parse: BytesParser<T>): T {
  const bytes = Buffer.from(text, "utf8");
  return parse(bytes, bytes.length);
}

const decodeUtf8: BytesParser<string> = (bytes, length) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, length).toString("utf8");

/** How a kept-open file is read. */
export interface TextFileOptions {
  /** Read only this many bytes from the start (e.g. the first line of /proc/stat). */
  headBytes?: number;
}

function onKernelFileSystem(path: string): boolean {
  try {
    return KERNEL_FILE_SYSTEMS.has(statfsSync(path).type);
  } catch {
    return false;
  }
}

/**
 * A sysfs/procfs file kept open: one pread per read. A file that is gone fails there as the
 * kernel has it (ENODEV) and is opened again on the next read. On any other file system (a
 * copied or fake tree) each read also checks with fstat whether the file was deleted or replaced
 * (link count 0), and opens the new one; a file that is not a regular file (a FIFO) is read the
 * old way, opened and closed each time. A replaced file's descriptor is closed in the thread
 * pool: freeing a deleted inode can take milliseconds (ext4), which must not delay the read.
 */
export function openTextFile(path: string, options: TextFileOptions = {}): TextFile {
  let fd: number | undefined;
  let checkReplaced = true;
  let buffer = Buffer.allocUnsafe(options.headBytes ?? INITIAL_BYTES);
  const drop = () => {
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch {
      // Already gone.
    }
    fd = undefined;
  };
  const file: TextFile = {
    path,
    read: () => file.readWith(decodeUtf8),
    readWith(parse) {
      const recorded = recordedRead(path, options.headBytes);
      if (recorded !== undefined) {
        if ("errno" in recorded) throw recordedReadError(path, recorded.errno);
        return parse(recorded.bytes, recorded.length);
      }
      if (fd !== undefined && checkReplaced) {
        let stale: boolean;
        try {
          const stats = fstatSync(fd);
          stale = stats.nlink === 0 || !stats.isFile();
        } catch {
          stale = true;
        }
        if (stale) {
          close(fd, () => {});
          fd = undefined;
        }
      }
      if (fd === undefined) {
        const opened = openSync(path, FLAGS);
        checkReplaced = !onKernelFileSystem(path);
        if (checkReplaced && !fstatSync(opened).isFile()) {
          try {
            const whole = readFileSync(opened);
            return parse(whole, whole.length);
          } finally {
            closeSync(opened);
          }
        }
        fd = opened;
      }
      let length: number;
      try {
        length = readSync(fd, buffer, 0, buffer.length, 0);
        while (length === buffer.length && options.headBytes === undefined) {
          buffer = Buffer.allocUnsafe(buffer.length * 2);
          length = readSync(fd, buffer, 0, buffer.length, 0);
        }
      } catch (error) {
        // The next read opens again: the file may come back (a module reloaded).
        drop();
        throw error;
      }
      return parse(buffer, length);
    },
    close: drop,
  };
  return file;
}
