// Energy from sampled power. NVML power on Ampere and newer (except GA100) is the mean of the
// last second, so a reading stands for the interval that ends at it: each reading is held back
// over the time since the previous read (a right Riemann sum), exact for 1 s reads of that mean.
import type { Joules, Watts } from "../../units/index.js";

/** Integrates power readings over the caller's clock. */
export class PowerIntegrator {
  private lastMs: number;
  private total: Joules = 0;

  /** Starts at `startMs` (Unix ms) with nothing integrated. */
  constructor(startMs: number) {
    this.lastMs = startMs;
  }

  /** Energy integrated so far (J). */
  get energyJ(): Joules {
    return this.total;
  }

  /** Adds `powerW` held over the time since the previous call; a clock going back adds nothing. */
  add(nowMs: number, powerW: Watts): Joules {
    const dtS = (nowMs - this.lastMs) / 1000;
    let added = 0;
    if (dtS > 0) {
      added = powerW * dtS;
      this.total += added;
      this.lastMs = nowMs;
    }
    return added;
  }

  /** Moves the start of the next interval to `nowMs` without adding energy (a gap not measured). */
  skipTo(nowMs: number): void {
    if (nowMs > this.lastMs) this.lastMs = nowMs;
  }
}
