// Which files this process holds open, from /proc/self/fd: how tests see that a reader keeps
// its counter files open rather than opening them on every sample.
import { readdirSync, readlinkSync } from "node:fs";

/** This process's descriptors open on `path` (an absolute path, symlinks resolved). */
export function descriptorsOn(path: string): string[] {
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  });
}
