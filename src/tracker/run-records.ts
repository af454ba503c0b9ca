// The JSONL records of a run (DESIGN.md "Logs"), built from the run's typed results: the
// precise account, field names fixed, units in the names.
import { hostname } from "node:os";
import type { Component, DeviceDescription, DeviceReading } from "../hardware/types.js";
import type { IntensityReading } from "../intensity/types.js";
import type {
  ActualRecord,
  EpochRecord,
  IntensityRecord,
  PredictionRecord,
  SampleRecord,
  SlurmIdentity,
  StartRecord,
} from "../logs/schema.js";
import type { RunFiles } from "../logs/run-files.js";
import { VERSION } from "../version.js";
import type { Snapshot } from "../sampling/reader-set.js";
import type { IntensityShare } from "./emissions.js";
import type { CrossCheck } from "./epoch-window.js";
import type { ConsumptionResult, DeviceEnergy, EpochResult, PredictionResult } from "./results.js";

/** What the `start` record says about a run. */
export interface StartFacts {
  tMs: number;
  pue: number;
  options: Record<string, unknown>;
  devices: readonly DeviceDescription[];
  slurm: SlurmIdentity | undefined;
  files: RunFiles | undefined;
  /** The command the run wraps, or its script. */
  command: string[];
}

/** The `start` record: version, host, process, PUE, options, devices with their details. */
export function startRecord(facts: StartFacts): StartRecord {
  const files = facts.files;
  return {
    type: "start",
    t: facts.tMs,
    version: VERSION,
    host: hostname(),
    pid: process.pid,
    pue: facts.pue,
    options: facts.options,
    devices: facts.devices.map((d) => ({
      ...d.details,
      component: d.component,
      device: d.device,
      name: d.name,
      provenance: d.provenance,
    })),
    ...(facts.slurm ? { slurm: facts.slurm } : {}),
    log_files: files ? { standard: files.standard, output: files.output, err: files.err } : null,
    command: facts.command,
  };
}

/** One `intensity` record. */
export function intensityRecord(reading: IntensityReading, tMs: number): IntensityRecord {
  return {
    type: "intensity",
    t: tMs,
    g_per_kwh: reading.gPerKwh,
    source: reading.source,
    location: reading.location,
    forecast: reading.forecast,
    valid_from: reading.validFrom,
    valid_to: reading.validTo ?? null,
    ...(reading.year !== undefined ? { year: reading.year } : {}),
  };
}

/** One `sample` record per known device of a snapshot. */
export function sampleRecords(snapshot: Snapshot, devices: readonly DeviceDescription[]): SampleRecord[] {
  // Once a sample for hours, mostly in V8's unoptimised tiers, where a for-of allocates an
  // iterator and a result a step: indexed loops (issue 16: a harvest's garbage is page faults).
  const records: SampleRecord[] = [];
  const readings = snapshot.readings;
  for (let r = 0; r < readings.length; r += 1) {
    const reading = readings[r] as DeviceReading;
    let device: DeviceDescription | undefined;
    for (let d = 0; d < devices.length && device === undefined; d += 1)
      if ((devices[d] as DeviceDescription).device === reading.device) device = devices[d];
    if (!device) continue;
    records.push({
      type: "sample",
      t: snapshot.tMs,
      component: device.component,
      device: reading.device,
      power_w: reading.powerW,
      energy_j: reading.energyJ,
      provenance: device.provenance,
    });
  }
  return records;
}

function deviceEntries(devices: readonly DeviceEnergy[]): EpochRecord["devices"] {
  return devices.map((d) => ({
    component: d.component,
    device: d.device,
    energy_j: d.energyJ,
    provenance: d.provenance,
  }));
}

/** The `epoch` record of a counted epoch. */
export function epochRecord(
  epoch: EpochResult,
  crossChecks: readonly CrossCheck[],
  tMs: number,
): EpochRecord {
  return {
    type: "epoch",
    t: tMs,
    epoch: epoch.epoch,
    start_t: epoch.startMs,
    end_t: epoch.endMs,
    duration_s: epoch.durationS,
    energy_j: epoch.energyJ,
    devices: deviceEntries(epoch.devices),
    co2eq_g: epoch.co2eqG,
    g_per_kwh: epoch.gPerKwh,
    ...(crossChecks.length > 0 ? { cross_check: [...crossChecks] } : {}),
  };
}

/** The `epoch` record of an epoch cut short by stop(): `partial`, not counted. */
export function cutEpochRecord(epoch: EpochResult, tMs: number): EpochRecord {
  const { g_per_kwh: _intensity, ...record } = epochRecord(epoch, [], tMs);
  return { ...record, partial: true };
}

/** The `prediction` record. */
export function predictionRecord(
  prediction: PredictionResult,
  method: string,
  tMs: number,
): PredictionRecord {
  return {
    type: "prediction",
    t: tMs,
    epochs: prediction.epochs,
    duration_s: prediction.durationS,
    energy_kwh: prediction.energyKwh,
    co2eq_g: prediction.co2eqG,
    g_per_kwh: prediction.gPerKwh,
    range: prediction.range
      ? {
          energy_kwh: prediction.range.energyKwh,
          co2eq_g: prediction.range.co2eqG,
          duration_s: prediction.range.durationS,
        }
      : null,
    method,
  };
}

/** The `actual` record. */
export function actualRecord(
  actual: ConsumptionResult,
  interrupted: boolean,
  energyByComponentJ: Partial<Record<Component, number>>,
  intensitySource: string,
  tMs: number,
  /** Every intensity source with its share of the energy (tracker/emissions.ts). */
  intensitySources: readonly IntensityShare[] = [],
): ActualRecord {
  return {
    type: "actual",
    t: tMs,
    epochs: actual.epochs,
    duration_s: actual.durationS,
    energy_kwh: actual.energyKwh,
    co2eq_g: actual.co2eqG,
    g_per_kwh: actual.gPerKwh,
    interrupted,
    energy_j_by_component: energyByComponentJ,
    intensity_source: intensitySource,
    intensity_sources: intensitySources.map((x) => ({
      source: x.source,
      location: x.location,
      g_per_kwh: x.gPerKwh,
      energy_share: x.energyShare,
    })),
  };
}
