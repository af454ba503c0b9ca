// The run's lifecycle: epochs are measurement windows over the sampler's cumulative energy;
// after `epochsBeforePred` epochs the run predicts the total, after `monitorEpochs` it reports
// the actual. It decides what happened and emits it as events; the sinks write the words. It
// never exits or kills its host.
import { CarbonTrackerError, TrackerStateError } from "../errors/index.js";
import type { Component, DeviceDescription } from "../hardware/types.js";
import type { IntensityProvider } from "../intensity/provider.js";
import type { IntensityReading } from "../intensity/types.js";
import { staleWarning } from "../intensity/static/static-source.js";
import { IntensityNotices } from "../intensity/intensity-notices.js";
import type { RunFiles } from "../logs/run-files.js";
import type { SampleRecord, SlurmIdentity } from "../logs/schema.js";
import type { SharedDeviceElection } from "../cluster/shared-device-election.js";
import type { Sampler } from "../sampling/sampler.js";
import type { Snapshot } from "../sampling/reader-set.js";
import { co2eqGrams } from "../units/index.js";
import { VERSION } from "../version.js";
import { askToContinue } from "./confirm-prompt.js";
import { readerNotice, reportDevices } from "./device-report.js";
import { IntensityTimeline } from "./emissions.js";
import { windowEnergy, type CrossCheck } from "./epoch-window.js";
import type { EventSink, Notice, TrackerEvent } from "./events.js";
import { defaultOf } from "./option-schema.js";
import type { ResolvedOptions } from "./options.js";
import { predictRun } from "./prediction-report.js";
import type { EpochResult, PredictionResult, RunResult } from "./results.js";
import {
  actualRecord,
  cutEpochRecord,
  epochRecord,
  intensityRecord,
  predictionRecord,
  sampleRecords,
  startRecord,
} from "./run-records.js";
import { consumptionOf, energyByComponent } from "./run-totals.js";

/** How far ahead forecasts are fetched for the prediction (ms). */
const FORECAST_HORIZON_MS = 72 * 3600 * 1000;

/** Where the default PUE comes from (said beside it when the run uses the default). */
const PUE_SOURCE = "Daniel Bizo, 2023, Uptime Institute Global Data Center Survey";

/** An epoch's figures with its counters' cross-checks against sampled power. */
type MeasuredWindow = EpochResult & { crossChecks: CrossCheck[] };

/** Why a run ended, for the JSONL `end` record. */
export type EndReason = "finished" | "stopped" | "signal";

/** What a run is given by whoever composed it (the library facade or the CLI). */
export interface RunParts {
  options: ResolvedOptions;
  sinks: EventSink[];
  /** Makes the run's intensity provider; its messages become the run's notices (in order, after the start lines). */
  intensity: (notice: (notice: Notice) => void) => IntensityProvider;
  election: SharedDeviceElection;
  /** Components this run measures: the requested ones, less the node's shared devices when another rank measures them. */
  measured: Component[];
  /** The SLURM identity and election fields for the `start` record, inside a job. */
  slurm: SlurmIdentity | undefined;
  /** The paths of the log files (undefined without logs). */
  logFiles: RunFiles | undefined;
  /** Options as the `start` record shows them (no secrets). */
  publicOptions: Record<string, unknown>;
  /** Title of the actual block without an epoch count (the CLI wrapping one command). */
  actualWithoutEpochCount: boolean;
  /** Notices written right after the start lines, before the intensity side says anything. */
  startNotices?: Notice[];
  /** Reads the answer to "Continue training (y/n)?"; undefined at end of input. */
  readAnswer: () => Promise<string | undefined>;
  /** Called when the user answered "n". */
  onUserStop?: () => void;
  /** The command the run wraps, or its script, for the `start` record. */
  command: string[];
  /**
   * A reading the sampler took before the run was built (the CLI reads it, starts its command at
   * once and builds the run while it runs): the run starts there, and the first epochStart()
   * starts at it instead of reading again, so that epoch's energy is exact.
   */
  baseline?: Snapshot;
}

/** One tracked training run, from construction to its actual consumption. */
export class TrackerRun {
  private readonly o: ResolvedOptions;
  private readonly timeline: IntensityTimeline;
  private readonly notices: IntensityNotices;
  private readonly intensity: IntensityProvider;
  private sampler: Sampler | undefined;
  private devices: DeviceDescription[] = [];
  private readonly epochs: EpochResult[] = [];
  private epochStartSnapshot: Snapshot | undefined;
  private lastSnapshot: Snapshot | undefined;
  private prediction: PredictionResult | undefined;
  private result: RunResult | undefined;
  private disabled = false;
  private endReason: EndReason | undefined;
  private forecastPeriods: IntensityReading[] = [];
  private readonly startMs: number;
  private baseline: Snapshot | undefined;
  /** Whether the start lines and records are out (see begin()). */
  private announced = false;
  /** Background samples that came before the start record. */
  private early: Snapshot[] = [];
  /** What went wrong announcing the run on the event loop: thrown at the caller's next call. */
  private announceError: unknown;
  /**
   * What the run says while it is built (notices, the embedded intensity's warning), held until
   * the devices' first console line is out (see describeDevices()); undefined once released.
   */
  private held: TrackerEvent[] | undefined = [];

  constructor(private readonly parts: RunParts) {
    this.o = parts.options;
    this.startMs = parts.baseline?.tMs ?? Date.now();
    this.baseline = parts.baseline;
    this.lastSnapshot = parts.baseline;
    this.emit({
      type: "run-started",
      version: VERSION,
      pue: this.o.pue,
      pueSource: this.o.pue === defaultOf("pue") ? PUE_SOURCE : undefined,
    });
    for (const notice of parts.startNotices ?? []) this.notice(notice);
    if (parts.slurm) this.notice({ level: "info", text: parts.election.reason });
    this.intensity = parts.intensity((notice) => this.notice(notice));
    const first = this.intensity.initial(Date.now());
    this.timeline = new IntensityTimeline(first);
    // The embedded figure's warning only if no live reading comes within a few seconds.
    this.notices = new IntensityNotices(
      {
        provider: this.intensity,
        onDefault: (reading) => {
          this.tell({ type: "intensity", reading, initial: true });
          const stale = staleWarning(reading, Date.now());
          if (stale) this.notice({ level: "warning", text: stale });
        },
      },
      first,
    );
    this.notices.start();
  }

  /**
   * Starts measuring with an opened sampler; a failure here is handled as fail() says. The start
   * lines and records name every device: while a device is still joining (a GPU whose driver
   * the sampler's worker opens), they wait for it, or for the next call that needs them
   * (epochEnd, stop), so the first epochStart() need not.
   */
  begin(sampler: () => Sampler): void {
    try {
      this.sampler = sampler();
      this.sampler.addListener?.((snapshot) => this.recordSamples(snapshot));
      if (this.sampler.describedLater?.(() => this.announceLater())) {
        this.releaseHeld();
        return;
      }
    } catch (error) {
      this.fail(error);
    }
    this.announce();
    this.releaseHeld();
  }

  /** announce(), on the event loop: a failure there is the caller's at its next call. */
  private announceLater(): void {
    try {
      this.announce();
    } catch (error) {
      this.announceError = error;
    }
  }

  /** Throws what announcing the run on the event loop threw (once). */
  private throwAnnounceError(): void {
    const error = this.announceError;
    this.announceError = undefined;
    if (error !== undefined) throw error;
  }

  /** Makes sure the start lines and records are out (waits for a device still joining). */
  private ensureAnnounced(): void {
    this.throwAnnounceError();
    this.announce();
  }

  /** Writes the start lines and records (once), and starts the intensity side. */
  private announce(): void {
    if (this.announced) return;
    this.announced = true;
    if (this.sampler && !this.disabled) {
      try {
        this.describeDevices();
      } catch (error) {
        this.fail(error);
      }
    }
    this.record(
      startRecord({
        tMs: this.startMs,
        pue: this.o.pue,
        options: this.parts.publicOptions,
        devices: this.devices,
        slurm: this.parts.slurm,
        files: this.parts.logFiles,
        command: this.parts.command,
      }),
    );
    const first = this.timeline.all()[0] as IntensityReading;
    this.record(intensityRecord(first, Date.now()));
    // Forecasts are fetched in the background now so the prediction (written synchronously at
    // an epoch end) can use them if they have arrived by then.
    void this.intensity
      .forecastPeriods?.(Date.now(), Date.now() + FORECAST_HORIZON_MS)
      .then((periods) => (this.forecastPeriods = periods))
      .catch(() => undefined);
    this.intensity.start((reading) => {
      this.timeline.add(reading);
      this.record(intensityRecord(reading, Date.now()));
      const firstLive = this.notices.onReading(reading);
      this.emit({ type: "intensity", reading, initial: false, firstLive });
    });
    this.emit({ type: "monitoring-started" });
    const early = this.early;
    this.early = [];
    for (const snapshot of early) this.recordSamples(snapshot);
  }

  private emit(event: TrackerEvent): void {
    // Every background sample comes through here (an indexed loop: see sampleRecords).
    const sinks = this.parts.sinks;
    for (let i = 0; i < sinks.length; i += 1) {
      try {
        (sinks[i] as EventSink).handle(event);
      } catch {
        // A sink must never break tracking.
      }
    }
  }

  private record(record: Extract<TrackerEvent, { type: "record" }>["record"]): void {
    this.emit({ type: "record", record });
  }

  private notice(notice: Notice): void {
    this.tell({ type: "notice", ...notice });
  }

  /** Emits `event`, or holds it while the run is built (see `held`). */
  private tell(event: TrackerEvent): void {
    if (this.held) this.held.push(event);
    else this.emit(event);
  }

  /** Emits what was held since construction (once). */
  private releaseHeld(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const event of held) this.emit(event);
  }

  private describeDevices(): void {
    const sampler = this.sampler as Sampler;
    const description = sampler.description();
    this.devices = description.devices;
    // The original's monitoring thread prints its first device line (a simulated device's) while
    // its constructor goes on to warn ("No API keys provided", then the intensity): the reader
    // notices up to the first console one come before the notices held since construction.
    const notices = sampler.drainNotices();
    const first = notices.findIndex((n) => n.console) + 1;
    for (const n of notices.slice(0, first)) this.emit({ type: "notice", ...readerNotice(n) });
    this.releaseHeld();
    reportDevices(
      description,
      notices.slice(first),
      this.parts.measured,
      this.o.componentsExplicit,
      (event) => this.emit(event),
    );
  }

  private recordSamples(snapshot: Snapshot): void {
    if (this.result) return;
    if (!this.announced) {
      this.early.push(snapshot);
      return;
    }
    const records = sampleRecords(snapshot, this.devices);
    for (let i = 0; i < records.length; i += 1) this.record(records[i] as SampleRecord);
  }

  /** Handles a measurement failure: with ignoreErrors tracking is switched off, else it is thrown. */
  private fail(error: unknown): void {
    this.releaseHeld();
    const message = error instanceof Error ? error.message : String(error);
    this.notices.cancel();
    this.sampler?.close();
    this.parts.election.release();
    if (this.o.ignoreErrors) {
      this.notice({
        level: "error",
        text: `${message} Tracking is switched off (ignoreErrors); training goes on.`,
      });
      this.disabled = true;
      return;
    }
    this.closeSinks();
    if (error instanceof CarbonTrackerError) throw error;
    throw new CarbonTrackerError(message, { cause: error });
  }

  private closeSinks(): void {
    for (const sink of this.parts.sinks) sink.close?.();
  }

  /**
   * Reads every device at a boundary. A sampler that fails after it once answered (a hung or
   * lost device, a dead worker) leaves the last figures in force with a warning, so training
   * goes on; failing before any answer is a real failure (see fail()).
   */
  private read(): Snapshot | undefined {
    const sampler = this.sampler as Sampler;
    // A failed read may have waited seconds for a hung device: the boundary is when it was asked.
    const askedMs = Date.now();
    try {
      const snapshot = sampler.readNow();
      // Before the start lines, the sampler's notices wait to come with them.
      if (this.announced) for (const notice of sampler.drainNotices()) this.notice(readerNotice(notice));
      this.lastSnapshot = snapshot;
      return snapshot;
    } catch (error) {
      if (this.lastSnapshot) {
        this.notice({
          level: "warning",
          text: `Reading the devices failed (${error instanceof Error ? error.message : String(error)}); the last readings from ${new Date(this.lastSnapshot.tMs).toISOString()} are used.`,
        });
        return { tMs: askedMs, readings: this.lastSnapshot.readings };
      }
      this.fail(error);
      return undefined;
    }
  }

  /** Records why the run is ending (the CLI: its child got a signal) for the JSONL `end` record. */
  setEndReason(reason: EndReason): void {
    this.endReason = reason;
  }

  /** Whether monitoring is over (all monitored epochs done, stopped, or switched off). */
  get finished(): boolean {
    return this.result !== undefined || this.disabled;
  }

  /** Epochs counted so far. */
  get epochCount(): number {
    return this.epochs.length;
  }

  /** Marks the start of an epoch: reads every device's counter now. */
  epochStart(): void {
    this.throwAnnounceError();
    if (this.finished || !this.sampler) return;
    this.epochStartSnapshot = this.baseline ?? this.read();
    this.baseline = undefined;
  }

  /** Marks the end of an epoch; see CarbonTracker.epochEnd. */
  epochEnd(options: { predict?: boolean } = {}): Promise<EpochResult | undefined> {
    this.ensureAnnounced();
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
    if (count === this.o.epochsBeforePred && options.predict !== false) {
      this.reportPrediction();
      if (this.o.stopAndConfirm) {
        return this.confirm().then((goOn) => {
          if (goOn && count === this.o.monitorEpochs) this.finish(false);
          return epoch;
        });
      }
    }
    if (count === this.o.monitorEpochs) this.finish(false);
    return Promise.resolve(epoch);
  }

  private async confirm(): Promise<boolean> {
    const answer = await askToContinue(this.parts.readAnswer, (event) => this.emit(event));
    if (answer === "continue") return true;
    this.parts.onUserStop?.();
    await this.stop();
    return false;
  }

  /** Energy and CO2eq of a window; an epoch cut short (`counted` false) gets no counter warning. */
  private measureWindow(start: Snapshot, end: Snapshot, counted: boolean): MeasuredWindow {
    const { devices, crossChecks, slowCounters } = windowEnergy(this.devices, start, end);
    const durationS = Math.max(0, end.tMs - start.tMs) / 1000;
    for (const slow of counted ? slowCounters : []) {
      this.notice({
        level: "warning",
        text: `Epoch ${this.epochs.length + 1} (${((end.tMs - start.tMs) / 1000).toFixed(3)} s) is shorter than the update period of the energy counter of ${slow.device} (at least ${(slow.periodMs / 1000).toFixed(3)} s observed): its energy can be off by up to one counter step.`,
      });
    }
    const energyJ = devices.reduce((sum, d) => sum + d.energyJ, 0);
    const energyByComponentJ: Partial<Record<Component, number>> = {};
    for (const d of devices)
      energyByComponentJ[d.component] = (energyByComponentJ[d.component] ?? 0) + d.energyJ;
    const gPerKwh = this.timeline.meanOver(start.tMs, end.tMs);
    return {
      epoch: this.epochs.length + 1,
      startMs: start.tMs,
      endMs: end.tMs,
      durationS,
      energyJ,
      energyByComponentJ,
      devices,
      facilityEnergyJ: energyJ * this.o.pue,
      co2eqG: co2eqGrams(energyJ, this.o.pue, gPerKwh),
      gPerKwh,
      crossChecks,
    };
  }

  private finishEpoch(start: Snapshot, end: Snapshot): EpochResult {
    const { crossChecks, ...epoch } = this.measureWindow(start, end, true);
    this.timeline.account(epoch.energyJ, start.tMs, end.tMs);
    this.epochs.push(epoch);
    this.emit({ type: "epoch-finished", epoch, components: this.o.components });
    this.record(epochRecord(epoch, crossChecks, Date.now()));
    return epoch;
  }

  private reportPrediction(): void {
    const outcome = predictRun({
      seen: this.epochs.slice(0, this.o.epochsBeforePred),
      totalEpochs: this.o.epochs,
      pue: this.o.pue,
      averageGPerKwh: this.timeline.average(),
      forecastPeriods: this.forecastPeriods,
      nowMs: Date.now(),
    });
    if (outcome.forecast) this.emit(outcome.forecast);
    if (outcome.advice) this.emit(outcome.advice);
    this.prediction = outcome.prediction;
    this.emit({ type: "prediction", prediction: outcome.prediction, epochsSeen: this.o.epochsBeforePred });
    this.record(predictionRecord(outcome.prediction, outcome.method, Date.now()));
  }

  private finish(interrupted: boolean, reason: EndReason = interrupted ? "stopped" : "finished"): RunResult {
    const files = this.parts.logFiles;
    this.notices.finish();
    const counted = this.epochs.slice(0, this.o.monitorEpochs);
    // Readings that arrived after an epoch ended still cover its time: weigh every epoch again.
    for (const e of counted) {
      e.gPerKwh = this.timeline.meanOver(e.startMs, e.endMs);
      e.co2eqG = co2eqGrams(e.energyJ, this.o.pue, e.gPerKwh);
    }
    const actual = consumptionOf(counted, this.o.pue, this.timeline.average());
    const readings = this.timeline.all().filter((r) => !r.forecast);
    const sources = this.timeline.shares();
    const first = (readings.find((r) => r.source === sources[0]?.source) ?? readings[0]) as IntensityReading;
    this.emit({
      type: "actual",
      actual,
      withoutEpochCount: this.parts.actualWithoutEpochCount,
      readings,
      location: this.intensity.location.description,
      unmeasured: this.devices.filter((d) => d.provenance === "estimate" || d.provenance === "simulated"),
    });
    const energyByComponentJ = energyByComponent(counted);
    this.record(actualRecord(actual, interrupted, energyByComponentJ, first.source, Date.now(), sources));
    this.emit({ type: "monitoring-ended" });
    this.record({ type: "end", t: Date.now(), reason: this.endReason ?? reason });
    this.intensity.stop();
    this.sampler?.close();
    this.parts.election.release();
    this.closeSinks();
    this.result = {
      ...actual,
      interrupted,
      pue: this.o.pue,
      deviceEnergyJ: counted.reduce((sum, e) => sum + e.energyJ, 0),
      epochResults: counted,
      prediction: this.prediction,
      energyByComponentJ,
      devices: this.devices.map(({ component, device, name, provenance }) => ({
        component,
        device,
        name,
        provenance,
      })),
      intensity: {
        source: first.source,
        location: first.location,
        message: first.message,
        year: first.year,
        sources,
      },
      logFiles: files && {
        standard: files.standard,
        output: files.output,
        err: files.err,
        jsonl: files.jsonl,
      },
    };
    return this.result;
  }

  /** Ends tracking; see CarbonTracker.stop. */
  stop(reason: "stopped" | "signal" = "stopped"): Promise<RunResult | undefined> {
    if (this.result) return Promise.resolve(this.result);
    this.ensureAnnounced();
    if (this.disabled || !this.sampler) return Promise.resolve(undefined);
    if (this.epochStartSnapshot) {
      const end = this.read();
      if (end) this.cutEpoch(this.epochStartSnapshot, end);
      this.epochStartSnapshot = undefined;
    }
    const interrupted = this.epochs.length < this.o.monitorEpochs;
    if (interrupted) this.emit({ type: "interrupted", monitorEpochs: this.o.monitorEpochs });
    return Promise.resolve(this.finish(interrupted, reason));
  }

  private cutEpoch(start: Snapshot, end: Snapshot): void {
    const { crossChecks: _crossChecks, ...epoch } = this.measureWindow(start, end, false);
    this.emit({ type: "epoch-cut", epoch: epoch.epoch, durationS: epoch.durationS });
    this.record(cutEpochRecord(epoch, Date.now()));
  }
}
