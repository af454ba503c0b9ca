// Energy split on sampled power until a device's counter is read again. NVML's energy counter
// costs 4 ms of CPU a call on an H200 (driver 580): read at every tick (5 s), that is 0.8 ms of
// CPU a second per GPU. So the agent's ticks read it only as often as the reader's anchor interval
// allows (10 to 60 s), when a GPU changes hands and at close, and power alone in between. A tick
// between two counter reads is split at once on its sampled energy (the power integral), so the
// power gauges move every tick; the next counter read scales every such tick of its window by
// one factor, so the window adds up to what the counter moved. As a GPU's holders do not change
// within a window (attribution.ts, intervalJobs), each job's share of it is exact.
import type { DeviceReading } from "../../hardware/types.js";

/** The ticks of one device split on sampled energy since its last counter read (J). */
export interface PendingWindow {
  totalJ: number;
  unattributedJ: number;
  jobs: Map<string, number>;
}

/** One device's energy over one tick. */
export interface DeviceTick {
  /** The tick's energy, to be split over the jobs (J). */
  energyJ: number;
  /** Whether it is final (the counter was read); false: sampled, scaled at the next counter read. */
  exact: boolean;
  /**
   * The window of sampled ticks this counter read closes, as it was split, and the factor each
   * of its shares is to be multiplied by so the window and this tick add up to the counter.
   */
  closed?: { window: PendingWindow; scale: number };
}

/** Sampled energy between two readings (J), where both carry it. */
function sampledBetween(before: DeviceReading | undefined, after: DeviceReading): number | undefined {
  if (before?.sampledEnergyJ === undefined || after.sampledEnergyJ === undefined) return undefined;
  return Math.max(0, after.sampledEnergyJ - before.sampledEnergyJ);
}

/** Per device: the counter figure last read and the window of sampled ticks since. */
export class PendingEnergy {
  private readonly counterJ = new Map<string, number>();
  private readonly windows = new Map<string, PendingWindow>();

  /** Starts every device at its first reading, which must be exact (a boundary read). */
  constructor(first: readonly DeviceReading[]) {
    for (const reading of first) this.counterJ.set(reading.device, reading.energyJ);
  }

  /** Whether any reading kept an older counter figure (read power alone). */
  static anySampled(readings: readonly DeviceReading[]): boolean {
    return readings.some((r) => r.energyAsOfMs !== undefined);
  }

  /**
   * This tick's energy of `after.device`, given the device's reading at the previous tick. A
   * counter read closing a window of sampled ticks spreads what the counter moved over the
   * window's ticks and this one by their sampled energy.
   */
  tick(before: DeviceReading | undefined, after: DeviceReading): DeviceTick {
    const sampledJ = sampledBetween(before, after);
    if (after.energyAsOfMs !== undefined) return { energyJ: sampledJ ?? 0, exact: false };
    const movedJ = Math.max(0, after.energyJ - (this.counterJ.get(after.device) ?? after.energyJ));
    this.counterJ.set(after.device, after.energyJ);
    const window = this.windows.get(after.device);
    this.windows.delete(after.device);
    if (!window || window.totalJ === 0) return { energyJ: movedJ, exact: true };
    const energyJ =
      sampledJ !== undefined && window.totalJ + sampledJ > 0
        ? (sampledJ * movedJ) / (window.totalJ + sampledJ)
        : Math.max(0, movedJ - window.totalJ);
    return { energyJ, exact: true, closed: { window, scale: (movedJ - energyJ) / window.totalJ } };
  }

  /** Keeps a sampled tick's split of one device until its counter is read. */
  hold(device: string, jobs: ReadonlyMap<string, number>, unattributedJ: number, totalJ: number): void {
    let window = this.windows.get(device);
    if (!window) this.windows.set(device, (window = { totalJ: 0, unattributedJ: 0, jobs: new Map() }));
    window.totalJ += totalJ;
    window.unattributedJ += unattributedJ;
    for (const [jobId, joules] of jobs) window.jobs.set(jobId, (window.jobs.get(jobId) ?? 0) + joules);
  }
}
