// When the sampler thread's next sample is due, on the wall clock (Date.now() costs a fraction of
// performance.now() in a thread that wakes once a second). Robust to the clock being set: set
// back, the schedule restarts instead of stopping the samples until the clock catches up; after a
// long pause (or a clock set forward) one sample is taken, not a burst of them.

/** How long to sleep (ms) before the sample due at `dueMs`, and when it is due from now on. */
export function waitForSample(
  dueMs: number,
  nowMs: number,
  intervalMs: number,
): { dueMs: number; waitMs: number } {
  const waitMs = dueMs - nowMs;
  if (waitMs > intervalMs) return { dueMs: nowMs + intervalMs, waitMs: intervalMs };
  return { dueMs, waitMs: Math.max(0, waitMs) };
}

/** When the sample after the one due at `dueMs`, taken at `nowMs`, is due. */
export function nextSampleDue(dueMs: number, nowMs: number, intervalMs: number): number {
  return Math.max(dueMs + intervalMs, nowMs + intervalMs / 2);
}
