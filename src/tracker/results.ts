// What the tracker hands back in code (not only in logs): per epoch and per run, with the
// provenance of every energy figure. PUE (the data centre's overhead) is stated in every name
// or comment: "device" energy is what the hardware used, "facility" energy is that × PUE, and
// CO2eq is always the facility's energy × the carbon intensity.
import type { Component, Provenance } from "../hardware/types.js";
import type { GramsCo2e, GramsPerKwh, Joules, KilowattHours, Milliseconds, Seconds } from "../units/index.js";
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
  /** Unix time of the epoch's start and end boundary reads. */
  startMs: Milliseconds;
  endMs: Milliseconds;
  durationS: Seconds;
  /** Device energy: all devices, before PUE. */
  energyJ: Joules;
  /** Facility energy: `energyJ` × PUE. */
  facilityEnergyJ: Joules;
  /** Device energy per component, before PUE. */
  energyByComponentJ: Partial<Record<Component, Joules>>;
  devices: DeviceEnergy[];
  /** CO2eq of the facility energy (PUE applied): `facilityEnergyJ` in kWh × `gPerKwh`. */
  co2eqG: GramsCo2e;
  /** Intensity applied (time-weighted over the epoch). */
  gPerKwh: GramsPerKwh;
}

/** A consumption report (predicted or actual), energy after PUE as the original prints it. */
export interface ConsumptionResult {
  epochs: number;
  durationS: Seconds;
  /** Facility energy: device energy × PUE, as the original prints it. */
  energyKwh: KilowattHours;
  /** CO2eq of the facility energy (PUE applied). */
  co2eqG: GramsCo2e;
  /** Energy-weighted carbon intensity: `co2eqG` / `energyKwh`. */
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
  /** Device energy over the counted epochs, before PUE (`energyKwh` is this × PUE, in kWh). */
  deviceEnergyJ: Joules;
  /** Device energy per component over the counted epochs, before PUE. */
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
