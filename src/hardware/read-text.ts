// Reads small sysfs/procfs files without ever blocking on open: a FIFO or a stuck file put in
// its place must not hang the sampler thread (and with it the process's exit). Files read on
// every sample stay open and are read again at offset 0 (pread), as the kernel regenerates
// their text on each read; a file that was replaced or removed under us is opened again.
import { close, closeSync, constants, fstatSync, openSync, readFileSync, readSync } from "node:fs";

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** Bytes first tried for one read; a longer file doubles the buffer until it fits. */
const INITIAL_BYTES = 256;

/** The file's text, opened with O_NONBLOCK (a FIFO without a writer reads as empty). */
export function readTextNonBlocking(path: string): string {
  const fd = openSync(path, FLAGS);
  try {
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}

/** A file read again and again, kept open between reads. */
export interface TextFile {
  readonly path: string;
  /** The whole text now. Throws Node-style errors (`code`) as an open or read would. */
  read(): string;
  /** Closes the descriptor; a later read opens the file again. */
  close(): void;
}

/**
 * A sysfs/procfs file kept open: one fstat and one pread per read. The fstat notices a file
 * deleted or replaced since it was opened (link count 0), which then is opened again, so a
 * vanished file fails as ENOENT as it would have on open; a file that is not a regular file
 * (a FIFO) is read the old way, opened and closed each time. A replaced file's descriptor is
 * closed in the thread pool: freeing a deleted inode can take milliseconds (ext4), which must not
 * delay the read.
 */
export function openTextFile(path: string): TextFile {
  let fd: number | undefined;
  let buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  const drop = () => {
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch {
      // Already gone.
    }
    fd = undefined;
  };
  return {
    path,
    read() {
      if (fd !== undefined) {
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
        if (!fstatSync(opened).isFile()) {
          try {
            return readFileSync(opened, "utf8");
          } finally {
            closeSync(opened);
          }
        }
        fd = opened;
      }
      try {
        let length = readSync(fd, buffer, 0, buffer.length, 0);
        while (length === buffer.length) {
          buffer = Buffer.allocUnsafe(buffer.length * 2);
          length = readSync(fd, buffer, 0, buffer.length, 0);
        }
        return buffer.toString("utf8", 0, length);
      } catch (error) {
        // The next read opens again: the file may come back (a module reloaded).
        drop();
        throw error;
      }
    },
    close: drop,
  };
}
