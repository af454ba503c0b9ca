// This thread's CPU time, through libc's clock_gettime(CLOCK_THREAD_CPUTIME_ID) bound with koffi
// (Node 20 has no per-thread CPU clock): what an NVML call costs the thread that makes it,
// whatever else the machine runs meanwhile. About 3 µs a reading.
import type { TypeObject } from "koffi";

type KoffiModule = typeof import("koffi");

/** clockid_t of the calling thread's CPU-time clock (Linux). */
const CLOCK_THREAD_CPUTIME_ID = 3;

let timespec: TypeObject | undefined;

/** A reader of this thread's CPU time (µs), or undefined where libc cannot be bound (not Linux, not glibc). */
export function threadCpuClock(koffi: KoffiModule): (() => number) | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    const libc = koffi.load("libc.so.6");
    timespec ??= koffi.struct({ tv_sec: "int64", tv_nsec: "int64" });
    const clockGettime = libc.func("clock_gettime", "int", ["int", koffi.out(koffi.pointer(timespec))]);
    return () => {
      const now: { tv_sec?: number | bigint; tv_nsec?: number | bigint } = {};
      clockGettime(CLOCK_THREAD_CPUTIME_ID, now);
      return Number(now.tv_sec) * 1e6 + Number(now.tv_nsec) / 1e3;
    };
  } catch {
    return undefined;
  }
}
