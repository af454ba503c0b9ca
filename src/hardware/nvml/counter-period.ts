// An energy counter moves in steps: an epoch shorter than one step can read zero or a whole
// step. NVML documents no period for nvmlDeviceGetTotalEnergyConsumption, so it is observed:
// the longest time the counter stood still between reads is a lower bound on its update period.
import type { ReaderNotice } from "../types.js";

/** Watches one counter and keeps the longest span it was seen unchanged (ms). */
export class CounterStillness {
  private value: bigint | undefined;
  private sinceMs = 0;
  private longest = 0;

  /** Records a read of `value` at `nowMs` (Unix ms). */
  observe(nowMs: number, value: bigint): void {
    if (value !== this.value) {
      this.value = value;
      this.sinceMs = nowMs;
      return;
    }
    this.longest = Math.max(this.longest, nowMs - this.sinceMs);
  }

  /** Longest time seen without a change (ms); 0 until the counter was read twice unchanged. */
  get longestStillMs(): number {
    return this.longest;
  }
}

/**
 * The warning for a measurement window (an epoch) shorter than a counter's update period, or
 * undefined when the window is long enough or the period unknown. Times in ms.
 */
export function counterPeriodNotice(
  device: string,
  windowMs: number,
  periodMs: number | undefined,
): ReaderNotice | undefined {
  if (periodMs === undefined || periodMs <= 0 || windowMs >= periodMs) return undefined;
  return {
    level: "warning",
    message: `The window of ${(windowMs / 1000).toFixed(3)} s is shorter than the update period of the energy counter of ${device} (at least ${(periodMs / 1000).toFixed(3)} s observed): its energy can be off by up to one counter step. Longer epochs avoid this.`,
  };
}
