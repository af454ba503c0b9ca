// Reads a small sysfs/procfs file without ever blocking on open: a FIFO or a stuck file put in
// its place must not hang the sampler thread (and with it the process's exit).
import { closeSync, constants, openSync, readFileSync } from "node:fs";

/** The file's text, opened with O_NONBLOCK (a FIFO without a writer reads as empty). */
export function readTextNonBlocking(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}
