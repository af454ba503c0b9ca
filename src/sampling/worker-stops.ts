// The sampler workers told to stop that have not stopped yet. A worker stuck in a driver call
// (NVML) cannot be stopped, and Node joins every worker thread before a process ends, so a
// process that simply returns would wait as long as the call does, for ever if the device is
// lost. The CLI asks here, once its work is done, whether its workers stopped (see main.ts).
const stopping = new Set<Promise<unknown>>();

/** Notes a worker being stopped: `stopped` settles when its thread has ended. */
export function noteWorkerStopping(stopped: Promise<unknown>): void {
  stopping.add(stopped);
  const forget = () => stopping.delete(stopped);
  stopped.then(forget, forget);
}

/** Whether every worker told to stop has ended within `ms` (true at once when none is stopping). */
export async function workersStopWithin(ms: number): Promise<boolean> {
  if (stopping.size === 0) return true;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([Promise.allSettled([...stopping]).then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
