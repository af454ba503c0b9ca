// Ends the process at once, past a worker thread stuck in a driver call (a lost GPU can block an
// NVML call for ever): Node's own exit joins every thread first, so it would wait as long as the
// call. By then the CLI has written everything (its writes are synchronous on Linux, where NVML
// runs); the process's 'exit' listeners still run. libc's _exit, called through koffi.
type KoffiModule = typeof import("koffi");

/**
 * Runs the 'exit' listeners and ends the process with `code`. Resolves to false, leaving the
 * process to Node's own exit, when _exit cannot be called (koffi missing on this platform).
 */
export async function exitPastStuckThreads(code: number): Promise<boolean> {
  let exitNow: (status: number) => void;
  try {
    const koffi: KoffiModule = await import("koffi");
    // null: the process itself, whose C library has _exit (glibc, musl and macOS alike).
    exitNow = koffi.load(null).func("void _exit(int)") as (status: number) => void;
  } catch {
    return false;
  }
  process.exitCode = code;
  process.emit("exit", code);
  exitNow(code);
  return true;
}
