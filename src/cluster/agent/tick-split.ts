// One tick's split of the node's energy over the running jobs (attribution.ts), with what the
// tick's counter reads settle: a device read on sampled power keeps its split pending; a counter
// read closing such a window rescales each share of it (pending-energy.ts). The node agent adds
// `given` to its jobs' records at once and counts only `settled` in its metrics, whose counters
// never go back.
import { attributeInterval, type DeviceDelta, type JobDelta } from "./attribution.js";
import type { DeviceTick, PendingEnergy } from "./pending-energy.js";

/** One device over the tick (J). */
interface DeviceSplit {
  /** Given out this tick: the tick's energy plus the closed window's correction. */
  energyJ: number;
  unattributedJ: number;
  /** Settled this tick: the tick's energy and the closed window's, where the counter was read. */
  settledJ: number;
  settledUnattributedJ: number;
}

/** The tick's split. */
export interface TickSplit {
  /** Per job and device: its share of the tick, plus the corrections of closed windows (J, may be negative). */
  given: Map<string, Map<string, number>>;
  /** Per job and device: what was settled this tick (J). */
  settled: Map<string, Map<string, number>>;
  /** Per job: its share of this tick alone (J): its power over the tick. */
  tickJ: Map<string, number>;
  devices: Map<string, DeviceSplit>;
}

function add(into: Map<string, Map<string, number>>, jobId: string, device: string, joules: number): void {
  let shares = into.get(jobId);
  if (!shares) into.set(jobId, (shares = new Map()));
  shares.set(device, (shares.get(device) ?? 0) + joules);
}

/**
 * Splits one tick. `devices` pairs each device's energy over the tick with how it was read
 * (`PendingEnergy.tick`); sampled devices' splits are held in `pending` until their counter is read.
 */
export function splitTick(
  devices: readonly { delta: DeviceDelta; tick: DeviceTick }[],
  jobs: readonly JobDelta[],
  nodeBusyS: number,
  pending: PendingEnergy,
): TickSplit {
  const split = attributeInterval(
    devices.map((d) => d.delta),
    jobs,
    nodeBusyS,
  );
  const result: TickSplit = { given: new Map(), settled: new Map(), tickJ: new Map(), devices: new Map() };
  for (const { delta, tick } of devices) {
    const device = delta.device;
    const unattributedJ = split.unattributed.get(device) ?? delta.energyJ;
    const shares = new Map<string, number>();
    for (const [jobId, byDevice] of split.jobs) {
      const joules = byDevice.get(device);
      if (joules === undefined) continue;
      shares.set(jobId, joules);
      add(result.given, jobId, device, joules);
      result.tickJ.set(jobId, (result.tickJ.get(jobId) ?? 0) + joules);
    }
    const out: DeviceSplit = { energyJ: delta.energyJ, unattributedJ, settledJ: 0, settledUnattributedJ: 0 };
    if (!tick.exact) {
      pending.hold(device, shares, unattributedJ, delta.energyJ);
    } else {
      out.settledJ = delta.energyJ;
      out.settledUnattributedJ = unattributedJ;
      for (const [jobId, joules] of shares) add(result.settled, jobId, device, joules);
      if (tick.closed) {
        const { window, scale } = tick.closed;
        out.energyJ += window.totalJ * (scale - 1);
        out.unattributedJ += window.unattributedJ * (scale - 1);
        out.settledJ += window.totalJ * scale;
        out.settledUnattributedJ += window.unattributedJ * scale;
        for (const [jobId, joules] of window.jobs) {
          add(result.given, jobId, device, joules * (scale - 1));
          add(result.settled, jobId, device, joules * scale);
        }
      }
    }
    result.devices.set(device, out);
  }
  return result;
}
