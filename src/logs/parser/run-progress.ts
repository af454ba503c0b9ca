// What a run's JSONL says so far, for a run that is still going: the newest power reading and
// cumulative energy of each device, the epochs finished, and the prediction once it is made.
// Only the JSONL has samples; a run read from text logs has epochs and blocks only.
import { facilityKwh } from "../../units/index.js";
import type { Consumption, ParsedRun } from "./types.js";

/** One device at its newest sample. */
interface DeviceProgress {
  component: string;
  device: string;
  /** Power of the newest reading (W); null where the device reports none. */
  powerW: number | null;
  /** Energy since the run started, before PUE (J). */
  energyJ: number;
  provenance: string;
}

/** A run's figures so far. Energies after PUE unless named otherwise. */
export interface RunProgress {
  /** Seconds from the start record to the newest sample; null without either. */
  elapsedS: number | null;
  /** Unix ms of the newest sample; null when the log holds none. */
  lastMs: number | null;
  devices: DeviceProgress[];
  /** Sum of the devices' newest power readings (W); null when no device has one. */
  powerW: number | null;
  /** Energy so far (kWh, after PUE): the devices' cumulative energy at their newest samples. */
  energyKwh: number;
  /**
   * CO2eq so far (g): the finished epochs as logged, plus the energy since at the run's mean
   * intensity; null when the log states no intensity.
   */
  co2eqG: number | null;
  /** Epochs finished and logged. */
  epochs: number;
  /** The newest prediction, when one is logged. */
  prediction: Consumption | null;
}

/** The run's figures so far, read from its samples, epochs and prediction. */
export function runProgress(run: ParsedRun): RunProgress {
  const newest = new Map<string, DeviceProgress & { t: number }>();
  let lastMs: number | null = null;
  for (const s of run.samples) {
    if (typeof s.t !== "number" || typeof s.energy_j !== "number") continue;
    const key = `${s.component}\u0000${s.device}`;
    const seen = newest.get(key);
    if (!seen || s.t >= seen.t) {
      newest.set(key, {
        t: s.t,
        component: s.component,
        device: s.device,
        powerW: typeof s.power_w === "number" ? s.power_w : null,
        energyJ: s.energy_j,
        provenance: s.provenance,
      });
    }
    lastMs = Math.max(lastMs ?? s.t, s.t);
  }
  const devices = [...newest.values()].map(({ t: _t, ...device }) => device);
  const startMs = run.start !== null && run.source === "jsonl" ? Date.parse(run.start) : NaN;
  const measured = run.measured;
  const pue = run.pue ?? 1;
  const sampledJ = devices.reduce((sum, d) => sum + d.energyJ, 0);
  const energyKwh = Math.max(facilityKwh(sampledJ, pue), measured?.energyKwh ?? 0);
  const beyondEpochsKwh = Math.max(0, energyKwh - (measured?.energyKwh ?? 0));
  const gPerKwh = run.intensity.gPerKwh;
  const co2eqG =
    gPerKwh === null && beyondEpochsKwh > 0
      ? null
      : (measured?.co2eqG ?? 0) + beyondEpochsKwh * (gPerKwh ?? 0);
  const powers = devices.map((d) => d.powerW).filter((w): w is number => w !== null);
  return {
    elapsedS: Number.isFinite(startMs) && lastMs !== null ? Math.max(0, (lastMs - startMs) / 1000) : null,
    lastMs,
    devices,
    powerW: powers.length > 0 ? powers.reduce((a, b) => a + b, 0) : null,
    energyKwh,
    co2eqG,
    epochs: measured?.epochs ?? 0,
    prediction: run.pred,
  };
}
