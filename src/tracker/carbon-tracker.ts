// The tracker: epochs are measurement windows over the sampler's cumulative energy; after
// `epochsBeforePred` epochs it predicts the total, after `monitorEpochs` it reports the actual,
// in the original's words and formats. It never exits or kills its host.
import { hostname } from "node:os";
import { CarbonTrackerError, ComponentUnavailableError, TrackerStateError } from "../errors/index.js";
import type { Component, DeviceDescription, ReaderNotice } from "../hardware/types.js";
import { createIntensityProvider, type IntensityProvider } from "../intensity/provider.js";
import type { IntensityReading } from "../intensity/types.js";
import { staleWarning } from "../intensity/static/static-source.js";
import { forecastCoverage } from "../intensity/forecast/forecast-mean.js";
import { bestStart } from "../intensity/forecast/best-start.js";
import { consumptionBlock, pythonFloat } from "../logs/format.js";
import { runFiles } from "../logs/run-files.js";
import { RunLog } from "../logs/run-log.js";
import type { RecordSink, TrackerRecord } from "../logs/schema.js";
import { predictTotal } from "../prediction/predict.js";
import { formatDuration, joulesToKwh } from "../units/index.js";
import { VERSION } from "../version.js";
import { IntensityTimeline } from "./emissions.js";
import { detectionContext, resolveOptions, type ResolvedOptions, type TrackerOptions } from "./options.js";
import type { Snapshot } from "../sampling/reader-set.js";
import type { ConsumptionResult, EpochResult, PredictionResult, RunResult } from "./results.js";
import type { Sampler } from "../sampling/sampler.js";
import { startBackgroundSampler } from "../sampling/sampler-choice.js";
import { slurmIdentity } from "../cluster/slurm-identity.js";
import { readStdinLine } from "./stdin-line.js";
import { windowEnergy } from "./epoch-window.js";
import { electSharedDeviceMeasurer, type SharedDeviceElection } from "../cluster/shared-device-election.js";
import { componentsAfterElection, slurmStartFields } from "../cluster/rank-components.js";

/** Wiring the CLI (or a test) may supply instead of the defaults. */
export interface TrackerInternals {
  /** An already opened sampler (the CLI samples in its own thread). */
  sampler?: Sampler;
  /** The intensity side; default: embedded data and the configured live sources. */
  intensity?: IntensityProvider;
  /** Extra record sinks (exporters). */
  sinks?: RecordSink[];
  /** The SLURM shared-device election already held by the caller (the CLI); default: held here. */
  election?: SharedDeviceElection;
  /** Title of the actual block without an epoch count (the CLI wrapping one command). */
  actualWithoutEpochCount?: boolean;
  /** Reads the answer to "Continue training (y/n)?" (stopAndConfirm); undefined at end of input. Default: a line of stdin. */
  readAnswer?: () => Promise<string | undefined>;
  /** Called when the user answered "n" (the CLI then ends its child). */
  onUserStop?: () => void;
  /**
   * A reading `sampler` took before this tracker was built (the CLI reads it, starts its child
   * at once and builds the tracker while the child runs): the run starts there, and the first
   * epochStart() starts at it instead of reading again, so that epoch's energy is exact.
   */
  baseline?: Snapshot;
}

// Reads one line from fd 0 with blocking reads in the thread pool: the host's process.stdin is
// left alone (no mode change on a terminal or a pipe shared with a child) and nothing is read
// past the answer's line ending.
/** How far ahead a later start is considered for the advice (ms). */
const ADVICE_WINDOW_MS = 24 * 3600 * 1000;

/** How far ahead forecasts are fetched for the prediction (ms). */
const FORECAST_HORIZON_MS = 72 * 3600 * 1000;

const PUE_SOURCE = "Daniel Bizo, 2023, Uptime Institute Global Data Center Survey";

/** Tracks and predicts the energy and carbon footprint of a training run, epoch by epoch. */
export class CarbonTracker {
  /** Options after defaults. */
  readonly options: ResolvedOptions;
  private readonly log: RunLog;
  private readonly sinks: RecordSink[];
  private readonly intensity: IntensityProvider;
  private readonly timeline: IntensityTimeline;
  private sampler: Sampler | undefined;
  private devices: DeviceDescription[] = [];
  private readonly epochs: EpochResult[] = [];
  private epochStartSnapshot: Snapshot | undefined;
  private prediction: PredictionResult | undefined;
  private result: RunResult | undefined;
  private disabled = false;
  private readonly actualWithoutEpochCount: boolean;
  private endReason: "finished" | "stopped" | "signal" | undefined;
  private lastSnapshot: Snapshot | undefined;
  private readonly election: SharedDeviceElection;
  /** Components this tracker measures: the requested ones, less the node's shared devices when another rank measures them. */
  private readonly measured: Component[];
  private forecastPeriods: IntensityReading[] = [];
  private readonly readAnswer: () => Promise<string | undefined>;
  private readonly onUserStop: (() => void) | undefined;
  private baseline: Snapshot | undefined;

  /** Starts tracking at once: detects hardware, opens the logs, starts sampling. */
  constructor(options: TrackerOptions, internals: TrackerInternals = {}) {
    this.options = resolveOptions(options);
    const o = this.options;
    const start = new Date(internals.baseline?.tMs ?? Date.now());
    this.baseline = internals.baseline;
    this.lastSnapshot = internals.baseline;
    const files = o.logDir
      ? runFiles(o.logDir, o.logFilePrefix, process.pid, Math.floor(Math.random() * 1_000_000), start)
      : undefined;
    const secrets = [...Object.values(o.apiKeys), o.env.ELECTRICITYMAPS_API_KEY ?? ""].filter(Boolean);
    this.log = new RunLog({ files, verbose: o.verbose, stdout: o.stdout, secrets });
    this.sinks = [this.log, ...(internals.sinks ?? [])];
    this.actualWithoutEpochCount = internals.actualWithoutEpochCount ?? false;
    this.readAnswer = internals.readAnswer ?? readStdinLine;
    this.onUserStop = internals.onUserStop;
    this.log.open();
    this.election = internals.election ?? electSharedDeviceMeasurer(o.env);
    this.measured = componentsAfterElection(o.components, this.election);
    this.log.standard(`carbontracker version ${VERSION}`);
    this.log.standard(
      `Only predicted and actual consumptions are multiplied by a PUE coefficient of ${o.pue} (${o.pue === 1.58 ? PUE_SOURCE : "set by the user"}).`,
    );

    if (slurmIdentity(o.env)) this.log.standard(this.election.reason);
    this.intensity =
      internals.intensity ??
      createIntensityProvider({
        country: o.country,
        zone: o.zone,
        env: o.env,
        apiKeys: o.apiKeys,
        onMessage: (level, text) => {
          if (level === "warning") this.log.warning(text);
          else this.log.standard(text);
        },
      });
    const first = this.intensity.initial(Date.now());
    this.timeline = new IntensityTimeline(first);
    this.log.warning(first.message);
    const stale = staleWarning(first, Date.now());
    if (stale) this.log.warning(stale);

    try {
      this.sampler = internals.sampler ?? this.startWorkerSampler();
      this.sampler.addListener?.((snapshot) => this.recordSamples(snapshot));
      this.describeDevices();
    } catch (error) {
      this.fail(error);
    }
    this.emit({
      type: "start",
      t: start.getTime(),
      version: VERSION,
      host: hostname(),
      pid: process.pid,
      pue: o.pue,
      options: this.publicOptions(),
      devices: this.devices.map((d) => ({
        ...d.details,
        component: d.component,
        device: d.device,
        name: d.name,
        provenance: d.provenance,
      })),
      ...(slurmIdentity(o.env) ? { slurm: slurmStartFields(slurmIdentity(o.env), this.election) } : {}),
      log_files: files ? { standard: files.standard, output: files.output, err: files.err } : null,
    });
    this.recordIntensity(first);
    // Forecasts are fetched in the background now so the prediction (written synchronously at
    // an epoch end) can use them if they have arrived by then.
    void this.intensity
      .forecastPeriods?.(Date.now(), Date.now() + FORECAST_HORIZON_MS)
      .then((periods) => (this.forecastPeriods = periods))
      .catch(() => undefined);
    this.intensity.start((reading) => {
      this.timeline.add(reading);
      this.recordIntensity(reading);
      if (o.verbose >= 2 && !reading.forecast) {
        this.log.output(
          `Current carbon intensity is ${reading.gPerKwh.toFixed(2)} gCO2eq/kWh at detected location: ${reading.location} (${reading.source}).`,
          2,
        );
      }
    });
    this.log.standard("Monitoring thread started.");
  }

  private startWorkerSampler(): Sampler {
    const o = this.options;
    // Samples reach recordSamples through the listener added in the constructor, once.
    return startBackgroundSampler(
      {
        components: this.measured,
        updateIntervalMs: o.updateInterval * 1000,
        context: detectionContext(o),
      },
      () => undefined,
    );
  }

  private describeDevices(): void {
    const sampler = this.sampler as Sampler;
    const description = sampler.description();
    this.devices = description.devices;
    this.reportNotices(sampler.drainNotices());
    for (const skip of description.skipped) {
      this.log.debug(
        `${skip.component} backend ${skip.backend} skipped: ${skip.reason}${skip.fix ? ` Fix: ${skip.fix}` : ""}`,
      );
    }
    if (description.intervalReason) this.log.standard(description.intervalReason);
    const byComponent = (c: Component) => this.devices.filter((d) => d.component === c);
    const found = this.measured.filter((c) => byComponent(c).length > 0);
    if (this.measured.includes("gpu") && byComponent("gpu").length === 0) {
      this.log.standard("No GPU(s) available.");
    }
    for (const component of this.measured) {
      if (byComponent(component).length === 0 && this.options.componentsExplicit) {
        const reasons = description.skipped
          .filter((s) => s.component === component)
          .map((s) => `${s.backend}: ${s.reason}`)
          .join("; ");
        throw new ComponentUnavailableError(
          component,
          `No ${component.toUpperCase()} available to measure (${reasons || "no backend"}). Run 'carbontracker doctor' to see why, or choose other components.`,
        );
      }
    }
    if (found.length === 0) {
      this.log.warning(
        "No components found: nothing can be measured on this machine. Training goes on untracked; run 'carbontracker doctor' to see why.",
      );
      return;
    }
    const parts = found.map(
      (c) =>
        `${c.toUpperCase()} with device(s) ${byComponent(c)
          .map((d) => d.device)
          .join(", ")}.`,
    );
    const message = `The following components were found: ${parts.join(" ")}`;
    this.log.output(message);
    this.log.standard(message);
  }

  private reportNotices(notices: ReaderNotice[]): void {
    for (const notice of notices) {
      if (notice.level === "info") {
        if (notice.message.startsWith("Using simulated")) this.log.plain(notice.message);
        else this.log.standard(notice.message);
      } else if (notice.level === "warning") this.log.warning(notice.message);
      else this.log.error(notice.message);
    }
  }

  private publicOptions(): Record<string, unknown> {
    const { env: _env, stdout: _stdout, apiKeys, ...rest } = this.options;
    return { ...rest, apiKeys: Object.keys(apiKeys) };
  }

  private emit(record: TrackerRecord): void {
    for (const sink of this.sinks) {
      try {
        sink.write(record);
      } catch {
        // A sink must never break tracking.
      }
    }
  }

  private recordIntensity(reading: IntensityReading): void {
    this.emit({
      type: "intensity",
      t: Date.now(),
      g_per_kwh: reading.gPerKwh,
      source: reading.source,
      location: reading.location,
      forecast: reading.forecast,
      valid_from: reading.validFrom,
      valid_to: reading.validTo ?? null,
      ...(reading.year !== undefined ? { year: reading.year } : {}),
    });
  }

  private recordSamples(snapshot: Snapshot): void {
    if (this.result) return;
    for (const reading of snapshot.readings) {
      const device = this.devices.find((d) => d.device === reading.device);
      if (!device) continue;
      this.emit({
        type: "sample",
        t: snapshot.tMs,
        component: device.component,
        device: reading.device,
        power_w: reading.powerW,
        energy_j: reading.energyJ,
        provenance: device.provenance,
      });
    }
  }

  /** Handles a measurement failure: with ignoreErrors tracking is switched off, else it is thrown. */
  private fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (this.options.ignoreErrors) {
      this.log.error(`${message} Tracking is switched off (ignoreErrors); training goes on.`);
      this.disabled = true;
      this.sampler?.close();
      this.election.release();
      return;
    }
    this.sampler?.close();
    this.election.release();
    this.log.close();
    if (error instanceof CarbonTrackerError) throw error;
    throw new CarbonTrackerError(message, { cause: error });
  }

  /**
   * Reads every device at a boundary. A sampler that fails after it once answered (a hung or
   * lost device, a dead worker) leaves the last figures in force with a warning, so training
   * goes on; failing before any answer is a real failure (see fail()).
   */
  private read(): Snapshot | undefined {
    try {
      const snapshot = (this.sampler as Sampler).readNow();
      this.reportNotices((this.sampler as Sampler).drainNotices());
      this.lastSnapshot = snapshot;
      return snapshot;
    } catch (error) {
      if (this.lastSnapshot) {
        this.log.warning(
          `Reading the devices failed (${error instanceof Error ? error.message : String(error)}); the last readings from ${new Date(this.lastSnapshot.tMs).toISOString()} are used.`,
        );
        return { tMs: Date.now(), readings: this.lastSnapshot.readings };
      }
      this.fail(error);
      return undefined;
    }
  }

  /** Records why the run is ending (the CLI: its child got a signal) for the JSONL `end` record. */
  setEndReason(reason: "finished" | "stopped" | "signal"): void {
    this.endReason = reason;
  }

  /** Whether monitoring is over (all monitored epochs done, stopped, or switched off). */
  get finished(): boolean {
    return this.result !== undefined || this.disabled;
  }

  /** Marks the start of an epoch: reads every device's counter now. */
  epochStart(): void {
    if (this.finished || !this.sampler) return;
    this.epochStartSnapshot = this.baseline ?? this.read();
    this.baseline = undefined;
  }

  /**
   * Marks the end of an epoch: its energy is the counters' difference since epochStart. Reports
   * the prediction after `epochsBeforePred` epochs and the actual after `monitorEpochs`.
   * Everything is written before this returns; awaiting it is optional, except with
   * `stopAndConfirm`: the prediction epoch resolves once the user answered, and after "n"
   * tracking is stopped (`finished` is true) so the training loop can end.
   */
  epochEnd(): Promise<EpochResult | undefined> {
    if (this.finished || !this.sampler) return Promise.resolve(undefined);
    const start = this.epochStartSnapshot;
    if (!start) {
      throw new TrackerStateError(
        "epochEnd() was called without epochStart(): call epochStart() at the start of each epoch.",
      );
    }
    const end = this.read();
    this.epochStartSnapshot = undefined;
    if (!end) return Promise.resolve(undefined);
    const epoch = this.finishEpoch(start, end);
    const count = this.epochs.length;
    if (count === this.options.epochsBeforePred) {
      this.reportPrediction();
      if (this.options.stopAndConfirm) {
        return this.confirm().then((goOn) => {
          if (goOn && count === this.options.monitorEpochs) this.finish(false);
          return epoch;
        });
      }
    }
    if (count === this.options.monitorEpochs) this.finish(false);
    return Promise.resolve(epoch);
  }

  /** Asks "Continue training (y/n)?" as the original does; "n" stops tracking (never the host). */
  private async confirm(): Promise<boolean> {
    this.log.output("Continue training (y/n)?");
    for (;;) {
      const answer = (await this.readAnswer())?.trim().toLowerCase();
      if (answer === "y") {
        this.log.output("Continuing...");
        return true;
      }
      if (answer === "n") {
        this.log.standard("Session ended by user.");
        this.log.output("Quitting...");
        this.onUserStop?.();
        await this.stop();
        return false;
      }
      if (answer === undefined) {
        this.log.output("No answer (end of input): continuing.");
        return true;
      }
      this.log.output("Input not recognized. Try again (y/n):");
    }
  }

  private finishEpoch(start: Snapshot, end: Snapshot): EpochResult {
    const o = this.options;
    const { devices, crossChecks, slowCounters } = windowEnergy(this.devices, start, end);
    for (const slow of slowCounters) {
      this.log.warning(
        `Epoch ${this.epochs.length + 1} (${((end.tMs - start.tMs) / 1000).toFixed(3)} s) is shorter than the update period of the energy counter of ${slow.device} (at least ${(slow.periodMs / 1000).toFixed(3)} s observed): its energy can be off by up to one counter step.`,
      );
    }
    const energyJ = devices.reduce((sum, d) => sum + d.energyJ, 0);
    const durationS = Math.max(0, end.tMs - start.tMs) / 1000;
    const energyByComponentJ: Partial<Record<Component, number>> = {};
    for (const d of devices)
      energyByComponentJ[d.component] = (energyByComponentJ[d.component] ?? 0) + d.energyJ;
    this.timeline.account(energyJ, start.tMs, end.tMs);
    const gPerKwh = this.timeline.meanOver(start.tMs, end.tMs);
    const epoch: EpochResult = {
      epoch: this.epochs.length + 1,
      startMs: start.tMs,
      endMs: end.tMs,
      durationS,
      energyJ,
      energyByComponentJ,
      devices,
      co2eqG: joulesToKwh(energyJ) * o.pue * gPerKwh,
      gPerKwh,
    };
    this.epochs.push(epoch);
    this.log.standard(`Epoch ${epoch.epoch}:`);
    this.log.standard(`Duration: ${formatDuration(durationS, 2)}`);
    for (const component of o.components) {
      const joules = energyByComponentJ[component];
      if (joules === undefined) continue;
      const watts = durationS > 0 ? joules / durationS : 0;
      this.log.standard(`Average power usage (W) for ${component}: ${pythonFloat(watts)}`);
    }
    this.emit({
      type: "epoch",
      t: Date.now(),
      epoch: epoch.epoch,
      start_t: start.tMs,
      end_t: end.tMs,
      duration_s: durationS,
      energy_j: energyJ,
      devices: devices.map((d) => ({
        component: d.component,
        device: d.device,
        energy_j: d.energyJ,
        provenance: d.provenance,
      })),
      co2eq_g: epoch.co2eqG,
      g_per_kwh: gPerKwh,
      ...(crossChecks.length > 0 ? { cross_check: crossChecks } : {}),
    });
    return epoch;
  }

  private consumption(epochs: EpochResult[]): ConsumptionResult {
    const energyJ = epochs.reduce((sum, e) => sum + e.energyJ, 0);
    const co2eqG = epochs.reduce((sum, e) => sum + e.co2eqG, 0);
    const energyKwh = joulesToKwh(energyJ) * this.options.pue;
    return {
      epochs: epochs.length,
      durationS: epochs.reduce((sum, e) => sum + e.durationS, 0),
      energyKwh,
      co2eqG,
      gPerKwh: energyKwh > 0 ? co2eqG / energyKwh : this.timeline.average(),
    };
  }

  private provenanceNote(): void {
    const estimated = this.devices.filter((d) => d.provenance === "estimate" || d.provenance === "simulated");
    for (const device of estimated) {
      const how =
        device.provenance === "estimate"
          ? "an ESTIMATE (TDP x utilisation), not a measurement"
          : "SIMULATED (rated power x utilisation)";
      this.log.output(`Energy of ${device.component} ${device.device} is ${how}.`);
    }
  }

  /**
   * Carbon-aware advice: where the forecast covers the rest of the training, says when within
   * the next day starting the rest would emit least, and what that would save.
   */
  private adviseLaterStart(nowMs: number, remainingS: number, remainingKwh: number): void {
    if (remainingS <= 0 || this.forecastPeriods.length === 0) return;
    const advice = bestStart(this.forecastPeriods, nowMs, remainingS * 1000, ADVICE_WINDOW_MS, remainingKwh);
    if (!advice || advice.bestStartMs === nowMs || advice.gramsSaved <= 0) return;
    const text = `Starting the remaining ${formatDuration(remainingS)} of training in ${formatDuration((advice.bestStartMs - nowMs) / 1000)} instead of now would save ${advice.gramsSaved.toFixed(2)} g CO2eq (${advice.nowGPerKwh.toFixed(2)} -> ${advice.bestGPerKwh.toFixed(2)} gCO2eq/kWh, forecast by ${advice.source} for ${advice.location}).`;
    this.log.standard(text);
    this.log.output(text);
  }

  private reportPrediction(): void {
    const o = this.options;
    const seen = this.epochs.slice(0, o.epochsBeforePred);
    const predicted = predictTotal(seen, o.epochs);
    const remainingS = Math.max(0, predicted.durationS - seen.reduce((sum, e) => sum + e.durationS, 0));
    const now = Date.now();
    const forecast = forecastCoverage(this.forecastPeriods, now, now + remainingS * 1000);
    const gPerKwh = forecast?.gPerKwh ?? this.timeline.average();
    if (forecast) {
      const text = `Carbon intensity for the next ${formatDuration(remainingS)} is predicted to be ${forecast.gPerKwh.toFixed(2)} gCO2/kWh (${this.forecastPeriods[0]?.source ?? "forecast"}, covering ${formatDuration(forecast.coveredMs / 1000)}).`;
      this.log.standard(text);
      this.log.output(text, 2);
    }
    const energyKwh = joulesToKwh(predicted.energyJ) * o.pue;
    this.adviseLaterStart(now, remainingS, energyKwh * (remainingS / Math.max(predicted.durationS, 1e-9)));
    this.prediction = {
      epochs: o.epochs,
      durationS: predicted.durationS,
      energyKwh,
      co2eqG: energyKwh * gPerKwh,
      gPerKwh,
    };
    if (predicted.range) {
      const r = predicted.range;
      const kwh = (j: number) => joulesToKwh(j) * o.pue;
      this.prediction.range = {
        energyKwh: [kwh(r.lowJ), kwh(r.highJ)],
        co2eqG: [kwh(r.lowJ) * gPerKwh, kwh(r.highJ) * gPerKwh],
        durationS: [r.lowS, r.highS],
      };
    }
    this.log.output(
      consumptionBlock({
        kind: "Predicted",
        epochs: o.epochs,
        durationS: this.prediction.durationS,
        energyKwh,
        co2eqG: this.prediction.co2eqG,
        decimalPrecision: o.decimalPrecision,
        interpretable: o.interpretable,
      }),
    );
    if (this.prediction.range) {
      const [low, high] = this.prediction.range.energyKwh;
      this.log.output(
        `Predicted energy range from the ${seen.length} epochs seen: ${low.toFixed(o.decimalPrecision)} to ${high.toFixed(o.decimalPrecision)} kWh.`,
        2,
      );
    }
    this.emit({
      type: "prediction",
      t: Date.now(),
      epochs: o.epochs,
      duration_s: this.prediction.durationS,
      energy_kwh: energyKwh,
      co2eq_g: this.prediction.co2eqG,
      g_per_kwh: gPerKwh,
      range: this.prediction.range
        ? {
            energy_kwh: this.prediction.range.energyKwh,
            co2eq_g: this.prediction.range.co2eqG,
            duration_s: this.prediction.range.durationS,
          }
        : null,
      method: predicted.method,
    });
  }

  private finish(
    interrupted: boolean,
    reason: "finished" | "stopped" | "signal" = interrupted ? "stopped" : "finished",
  ): RunResult {
    const o = this.options;
    const counted = this.epochs.slice(0, o.monitorEpochs);
    const actual = this.consumption(counted);
    const readings = this.timeline.all().filter((r) => !r.forecast);
    const first = readings[0] as IntensityReading;
    this.log.standard(
      `Carbon intensities (gCO2eq/kWh) fetched every ${900} s at detected location: ${this.intensity.location.description}: [${readings.map((r) => pythonFloat(r.gPerKwh)).join(", ")}]`,
    );
    const average = `Average carbon intensity during training was ${actual.gPerKwh.toFixed(2)} gCO2eq/kWh. `;
    this.log.standard(average);
    this.log.output(average);
    this.log.output(
      consumptionBlock({
        kind: "Actual",
        epochs: this.actualWithoutEpochCount ? undefined : actual.epochs,
        durationS: actual.durationS,
        energyKwh: actual.energyKwh,
        co2eqG: actual.co2eqG,
        decimalPrecision: o.decimalPrecision,
        interpretable: o.interpretable,
      }),
    );
    this.provenanceNote();
    const energyByComponentJ: Partial<Record<Component, number>> = {};
    for (const e of counted) {
      for (const [c, j] of Object.entries(e.energyByComponentJ) as [Component, number][]) {
        energyByComponentJ[c] = (energyByComponentJ[c] ?? 0) + j;
      }
    }
    this.emit({
      type: "actual",
      t: Date.now(),
      epochs: actual.epochs,
      duration_s: actual.durationS,
      energy_kwh: actual.energyKwh,
      co2eq_g: actual.co2eqG,
      g_per_kwh: actual.gPerKwh,
      interrupted,
      energy_j_by_component: energyByComponentJ,
      intensity_source: first.source,
    });
    this.log.output("Finished monitoring.");
    this.log.standard("Monitoring thread ended.");
    this.emit({ type: "end", t: Date.now(), reason: this.endReason ?? reason });
    this.intensity.stop();
    this.sampler?.close();
    this.election.release();
    this.log.close();
    this.result = {
      ...actual,
      interrupted,
      pue: o.pue,
      epochResults: counted,
      prediction: this.prediction,
      energyByComponentJ,
      devices: this.devices.map(({ component, device, name, provenance }) => ({
        component,
        device,
        name,
        provenance,
      })),
      intensity: { source: first.source, location: first.location, message: first.message, year: first.year },
      logFiles: this.log.files
        ? {
            standard: this.log.files.standard,
            output: this.log.files.output,
            err: this.log.files.err,
            jsonl: this.log.files.jsonl,
          }
        : undefined,
    };
    return this.result;
  }

  /**
   * Ends tracking. Before all monitored epochs finished, it reports the epochs finished so far
   * and records that training was interrupted. Everything is written before this returns.
   * @param reason `signal` when stopping because the process was told to end.
   */
  stop(reason: "stopped" | "signal" = "stopped"): Promise<RunResult | undefined> {
    if (this.result) return Promise.resolve(this.result);
    if (this.disabled || !this.sampler) return Promise.resolve(undefined);
    if (this.epochStartSnapshot) {
      const end = this.read();
      if (end) this.recordPartialEpoch(this.epochStartSnapshot, end);
      this.epochStartSnapshot = undefined;
    }
    if (this.epochs.length < this.options.monitorEpochs) {
      this.log.standard(
        `Training was interrupted before all ${this.options.monitorEpochs} epochs were monitored.`,
      );
    }
    return Promise.resolve(this.finish(this.epochs.length < this.options.monitorEpochs, reason));
  }

  private recordPartialEpoch(start: Snapshot, end: Snapshot): void {
    const devices = windowEnergy(this.devices, start, end).devices.map((d) => ({
      component: d.component,
      device: d.device,
      energy_j: d.energyJ,
      provenance: d.provenance,
    }));
    this.log.standard(
      `Epoch ${this.epochs.length + 1} was cut short after ${formatDuration((end.tMs - start.tMs) / 1000, 2)}: not counted in the actual consumption.`,
    );
    this.emit({
      type: "epoch",
      t: Date.now(),
      epoch: this.epochs.length + 1,
      start_t: start.tMs,
      end_t: end.tMs,
      duration_s: (end.tMs - start.tMs) / 1000,
      energy_j: devices.reduce((sum, d) => sum + d.energy_j, 0),
      devices,
      co2eq_g: 0,
      partial: true,
    });
  }
}
