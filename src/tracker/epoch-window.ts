// An epoch is a window over cumulative counters (Zeus): each device's energy is the difference
// of its readings at the two boundaries, never negative; where a backend also integrates sampled
// power, the two are compared.
import type { DeviceDescription } from "../hardware/types.js";
import type { Snapshot } from "../sampling/reader-set.js";
import type { DeviceEnergy } from "./results.js";

/** A device's counter compared with its sampled power over one window. */
export interface CrossCheck {
  device: string;
  sampled_energy_j: number;
  /** (sampled − counter) / counter; null when the counter saw no energy. */
  divergence: number | null;
}

/** Energy per device between two snapshots, the cross-checks, and devices whose counter is slower than the window. */
export function windowEnergy(
  devices: readonly DeviceDescription[],
  start: Snapshot,
  end: Snapshot,
): {
  devices: DeviceEnergy[];
  crossChecks: CrossCheck[];
  slowCounters: { device: string; periodMs: number }[];
} {
  const out: DeviceEnergy[] = [];
  const crossChecks: CrossCheck[] = [];
  const slowCounters: { device: string; periodMs: number }[] = [];
  for (const device of devices) {
    const before = start.readings.find((r) => r.device === device.device);
    const after = end.readings.find((r) => r.device === device.device);
    const energyJ = Math.max(0, (after?.energyJ ?? 0) - (before?.energyJ ?? 0));
    out.push({ component: device.component, device: device.device, energyJ, provenance: device.provenance });
    const periodMs = after?.counterUpdatePeriodMs;
    if (periodMs !== undefined && end.tMs - start.tMs < periodMs)
      slowCounters.push({ device: device.device, periodMs });
    if (before?.sampledEnergyJ !== undefined && after?.sampledEnergyJ !== undefined) {
      const sampledJ = after.sampledEnergyJ - before.sampledEnergyJ;
      crossChecks.push({
        device: device.device,
        sampled_energy_j: sampledJ,
        divergence: energyJ > 0 ? (sampledJ - energyJ) / energyJ : null,
      });
    }
  }
  return { devices: out, crossChecks, slowCounters };
}
