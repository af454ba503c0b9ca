// One run, as a report shows it: summary figures, per-epoch energy, power over time per device,
// intensity over time, predicted against actual, and where every figure comes from. Built from
// our JSONL where it exists (exact), else from what the original's text logs hold.
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { LogParseError } from "../../errors/index.js";
import { asProvenance, PROVENANCE_METHOD } from "../../hardware/provenance.js";
import { classifyLogName } from "../../logs/parser/run-id.js";
import { readLogs } from "../../logs/parser/index.js";
import { readJsonlRecords } from "../../logs/parser/jsonl-run.js";
import { isWellFormedRecord } from "../../logs/parser/record-shape.js";
import type { ParsedRun } from "../../logs/parser/types.js";
import type { TrackerRecord } from "../../logs/schema.js";
import { samplePowerW } from "../../units/index.js";

/** A point of a time series: seconds since the run started, and a value. */
export interface Point {
  t: number;
  v: number;
}

/** Everything a report renders. Energies in kWh after PUE unless named otherwise. */
export interface ReportModel {
  runId: string;
  title: string;
  source: "jsonl" | "text" | "console";
  version: string | null;
  host: string | null;
  start: string | null;
  pue: number | null;
  durationS: number | null;
  epochsCounted: number | null;
  energyKwh: number;
  co2eqG: number | null;
  gPerKwh: number | null;
  intensitySource: string | null;
  interrupted: boolean | null;
  /** Per epoch: energy before PUE (kWh) and duration (s). */
  epochs: { epoch: number; energyKwh: number; durationS: number }[];
  /** Power per device over time (W). Empty when only text logs exist. */
  power: { device: string; component: string; provenance: string; points: Point[] }[];
  /** Intensity over time (g/kWh); forecasts left out. */
  intensity: Point[];
  predicted: { epochs: number | null; energyKwh: number; co2eqG: number | null } | null;
  actual: { epochs: number | null; energyKwh: number; co2eqG: number | null } | null;
  /** Provenance of each figure, in words. */
  provenance: { figure: string; how: string }[];
  /** What the report could not show and why. */
  notes: string[];
}

function fromJsonl(model: ReportModel, records: TrackerRecord[]): void {
  const start = records.find((r) => r.type === "start");
  const t0 = start?.t ?? records[0]?.t ?? 0;
  const secs = (t: number) => (t - t0) / 1000;
  const pue = start?.pue ?? model.pue ?? 1;
  const devices = new Map<string, ReportModel["power"][number]>();
  const lastEnergy = new Map<string, { t: number; e: number }>();
  for (const record of records) {
    if (record.type === "sample") {
      let series = devices.get(record.device);
      if (!series) {
        series = {
          device: record.device,
          component: record.component,
          provenance: record.provenance,
          points: [],
        };
        devices.set(record.device, series);
      }
      const previous = lastEnergy.get(record.device);
      const power = samplePowerW(
        record.power_w,
        previous && record.energy_j - previous.e,
        previous ? (record.t - previous.t) / 1000 : 0,
      );
      lastEnergy.set(record.device, { t: record.t, e: record.energy_j });
      if (power !== null && Number.isFinite(power)) series.points.push({ t: secs(record.t), v: power });
    } else if (record.type === "intensity" && !record.forecast) {
      model.intensity.push({ t: Math.max(0, secs(record.valid_from)), v: record.g_per_kwh });
    } else if (record.type === "epoch" && record.partial !== true) {
      model.epochs.push({
        epoch: record.epoch,
        energyKwh: record.energy_j / 3.6e6,
        durationS: record.duration_s,
      });
    } else if (record.type === "prediction") {
      model.predicted = { epochs: record.epochs, energyKwh: record.energy_kwh, co2eqG: record.co2eq_g };
    } else if (record.type === "actual") {
      model.actual = { epochs: record.epochs, energyKwh: record.energy_kwh, co2eqG: record.co2eq_g };
      model.interrupted = record.interrupted;
    }
  }
  // Charts start at the run's start: the first power reading and the first intensity (fetched
  // as the run started) stand for the time before them.
  for (const series of devices.values()) {
    const first = series.points[0];
    if (first && first.t > 0) series.points.unshift({ t: 0, v: first.v });
  }
  const firstIntensity = model.intensity[0];
  if (firstIntensity && firstIntensity.t > 0) firstIntensity.t = 0;
  // The last intensity holds until the run's end: draw it to there.
  const lastIntensity = model.intensity.at(-1);
  const lastT = secs(records.at(-1)?.t ?? t0);
  if (lastIntensity && lastT > lastIntensity.t) model.intensity.push({ t: lastT, v: lastIntensity.v });
  model.power = [...devices.values()];
  model.pue = pue;
  model.version = start?.version ?? model.version;
  model.host = start?.host ?? model.host;
  if (start) model.start = new Date(start.t).toISOString();
  for (const device of start?.devices ?? []) {
    model.provenance.push({
      figure: `${device.component} ${device.device}`,
      how: provenanceWords(device.provenance),
    });
  }
  model.provenance.push({
    figure: "power over time",
    how: "each sample's power reading, else the energy's difference since the previous sample",
  });
}

/** A component's provenance, in the product's one wording. */
function provenanceWords(provenance: string): string {
  const known = asProvenance(provenance);
  return `${provenance}: ${known ? PROVENANCE_METHOD[known] : "not stated in the log"}`;
}

function fromParsedRun(model: ReportModel, run: ParsedRun): void {
  model.source = run.source;
  model.version = run.version;
  model.host = run.host;
  model.start = run.start;
  model.pue = run.pue;
  model.interrupted = run.earlyStop;
  model.energyKwh = run.counted.energyKwh;
  model.co2eqG = run.counted.co2eqG;
  model.durationS = run.counted.durationS;
  model.epochsCounted = run.counted.epochs;
  model.gPerKwh = run.intensity.gPerKwh;
  model.intensitySource = [run.intensity.source, run.intensity.location].filter(Boolean).join(", ") || null;
  if (run.pred)
    model.predicted = { epochs: run.pred.epochs, energyKwh: run.pred.energyKwh, co2eqG: run.pred.co2eqG };
  if (run.actual)
    model.actual = { epochs: run.actual.epochs, energyKwh: run.actual.energyKwh, co2eqG: run.actual.co2eqG };
  model.provenance.push({ figure: "counted total", how: `${run.counted.basis}: ${run.counted.reason}` });
  model.provenance.push({
    figure: "carbon intensity",
    how: run.intensity.source
      ? `${run.intensity.source}${run.intensity.year ? ` (${run.intensity.year})` : ""}`
      : "not stated in the log",
  });
  model.provenance.push({
    figure: "CO2eq",
    how: "energy (incl. PUE) x carbon intensity, as the run's log states it",
  });
  if (run.source !== "jsonl") {
    for (const [component, measurements] of Object.entries(run.components)) {
      model.provenance.push({
        figure: `${component} ${measurements.devices.join(", ")}`,
        how: provenanceWords(measurements.provenance),
      });
    }
  }
  model.provenance.push({
    figure: "energy per epoch",
    how:
      run.source === "jsonl"
        ? "the devices' energy over each epoch's window, before PUE"
        : "average power x duration of each epoch as the text log gives them, before PUE",
  });
  if (model.epochs.length === 0) {
    for (const measurements of Object.values(run.components)) {
      measurements.epochDurationsS.forEach((durationS, i) => {
        const joules = (measurements.energyJ[i] ?? []).reduce<number>((sum, e) => sum + (e ?? 0), 0);
        const existing = model.epochs[i];
        if (existing) existing.energyKwh += joules / 3.6e6;
        else model.epochs.push({ epoch: i + 1, energyKwh: joules / 3.6e6, durationS });
      });
    }
  }
  for (const warning of run.warnings) model.notes.push(warning);
}

/** Reads the run a log file belongs to. Throws LogParseError naming the file when it cannot. */
export async function buildReportModel(logPath: string): Promise<ReportModel> {
  const name = classifyLogName(basename(logPath));
  if (!name) {
    throw new LogParseError(
      logPath,
      `${logPath} is not a carbontracker log (expected a name ending in _carbontracker.log, _carbontracker_output.log or _carbontracker.jsonl).`,
    );
  }
  const model: ReportModel = {
    runId: name.runId,
    title: `carbontracker report: ${name.runId}`,
    source: "text",
    version: null,
    host: null,
    start: null,
    pue: null,
    durationS: null,
    epochsCounted: null,
    energyKwh: 0,
    co2eqG: null,
    gPerKwh: null,
    intensitySource: null,
    interrupted: null,
    epochs: [],
    power: [],
    intensity: [],
    predicted: null,
    actual: null,
    provenance: [],
    notes: [],
  };
  // Naming one file brings the other files of its run (and only those).
  const { runs, issues } = await readLogs([logPath]);
  const run = runs.find((r) => r.runId === name.runId);
  if (!run) {
    const why = issues.find((i) => i.severity === "error")?.message ?? issues[0]?.message;
    throw new LogParseError(logPath, `No run could be read from ${logPath}${why ? `: ${why}` : ""}.`);
  }
  // The parser keeps the JSONL only when it is readable; the epoch windows are read here.
  const jsonlPath = run.source === "jsonl" ? run.files.jsonl : undefined;
  const jsonlText = jsonlPath === undefined ? undefined : await readFile(jsonlPath, "utf8");
  if (jsonlText !== undefined)
    fromJsonl(model, readJsonlRecords(jsonlText).records.filter(isWellFormedRecord));
  fromParsedRun(model, run);
  if (model.epochs.length === 0 && !model.actual && !model.predicted && model.power.length === 0) {
    throw new LogParseError(
      logPath,
      `${logPath} holds no finished epoch, no consumption and no power sample: nothing to report.`,
    );
  }
  if (jsonlText === undefined) {
    model.notes.push(
      "This run has text logs only (no readable _carbontracker.jsonl): power over time and carbon intensity over time are recorded only in the JSONL, so those charts are empty.",
    );
  }
  return model;
}
