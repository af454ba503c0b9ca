// What the tracker hands back in code (not only in logs): per epoch and per run, with the
// provenance of every energy figure.
import type { Component, Provenance } from "../hardware/types.js";
import type { GramsCo2e, GramsPerKwh, Joules, KilowattHours, Seconds } from "../units/index.js";
import type { IntensityShare } from "./emissions.js";

/** One device's energy in a window, before PUE. */
export interface DeviceEnergy {
  component: Component;
  device: string;
  energyJ: Joules;
  provenance: Provenance;
}

/** A finished epoch. */
export interface EpochResult {
  /** 1-based. */
  epoch: number;
  startMs: number;
  endMs: number;
  durationS: Seconds;
  /** All devices, before PUE. */
  energyJ: Joules;
  /** Energy per component, before PUE. */
  energyByComponentJ: Partial<Record<Component, Joules>>;
  devices: DeviceEnergy[];
  /** After PUE. */
  co2eqG: GramsCo2e;
  /** Intensity applied (time-weighted over the epoch). */
  gPerKwh: GramsPerKwh;
}

/** A consumption report (predicted or actual), energy after PUE as the original prints it. */
export interface ConsumptionResult {
  epochs: number;
  durationS: Seconds;
  /** After PUE. */
  energyKwh: KilowattHours;
  co2eqG: GramsCo2e;
  gPerKwh: GramsPerKwh;
}

/** The predicted total for the whole training. */
export interface PredictionResult extends ConsumptionResult {
  /** From the spread of the epochs seen, when 2+ were seen (after PUE). */
  range?: { energyKwh: [number, number]; co2eqG: [number, number]; durationS: [number, number] };
}

/** The run as measured. */
export interface RunResult extends ConsumptionResult {
  /** Training stopped before all monitored epochs finished. */
  interrupted: boolean;
  pue: number;
  epochResults: EpochResult[];
  prediction: PredictionResult | undefined;
  /** Energy per component over the counted epochs, before PUE. */
  energyByComponentJ: Partial<Record<Component, Joules>>;
  /** Provenance of each device's figures. */
  devices: { component: Component; device: string; name: string; provenance: Provenance }[];
  /**
   * Where the intensity came from: the source behind most of the energy (id and its message), and
   * every source with its share of the energy.
   */
  intensity: { source: string; location: string; message: string; year?: number; sources?: IntensityShare[] };
  /** Log files written, if any. */
  logFiles?: { standard: string; output: string; err: string; jsonl: string };
}
