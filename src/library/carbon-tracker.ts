// The library's tracker: composes a run from the options (the console, the text logs and the
// JSONL as sinks of its events; the intensity provider; the sampler in a worker thread, so a
// training step that blocks the event loop is still measured, with file-based hardware read on
// the caller's thread until the worker has started, and its background samples left to the
// sample recorder where it was built) and hands the calls to it.
import { sampleRecorderBinary } from "../data/native-helpers.js";
import { electSharedDeviceMeasurer, type SharedDeviceElection } from "../cluster/shared-device-election.js";
import { slurmStartFields } from "../cluster/rank-components.js";
import { slurmIdentity } from "../cluster/slurm-identity.js";
import { createIntensityProvider } from "../intensity/live-provider.js";
import type { IntensityProvider } from "../intensity/provider.js";
import { logFileId, namePrefix, runFiles } from "../logs/run-files.js";
import type { RecordSink } from "../logs/schema.js";
import { ConsoleSink } from "../logs/sinks/console-sink.js";
import { JsonlSink } from "../logs/sinks/jsonl-sink.js";
import { LogFiles } from "../logs/sinks/log-files.js";
import { TextLogSink } from "../logs/sinks/text-log-sink.js";
import { BACKENDS } from "../hardware/registry.js";
import type { Snapshot } from "../sampling/reader-set.js";
import type { Sampler, SamplerConfig } from "../sampling/sampler.js";
import { startBackgroundSampler } from "../sampling/sampler-choice.js";
import { WorkerSampler } from "../sampling/worker-sampler.js";
import type { EventSink, Notice } from "../tracker/events.js";
import {
  resolveOptions,
  samplerConfig,
  type ResolvedOptions,
  type TrackerOptions,
} from "../tracker/options.js";
import type { EpochResult, RunResult } from "../tracker/results.js";
import { readStdinLine } from "../tracker/stdin-line.js";
import { TrackerRun, type EndReason } from "../tracker/tracker-run.js";

/** Wiring the CLI (or a test) may supply instead of the defaults. */
export interface TrackerInternals {
  /** An already opened sampler (the CLI samples in its own thread). */
  sampler?: Sampler;
  /** The intensity side; default: embedded data and the configured live sources. */
  intensity?: IntensityProvider;
  /** Extra record sinks (exporters, the live view): they get every JSONL record. */
  sinks?: RecordSink[];
  /** The SLURM shared-device election already held by the caller (the CLI); default: held here. */
  election?: SharedDeviceElection;
  /** Title of the actual block without an epoch count (the CLI wrapping one command). */
  actualWithoutEpochCount?: boolean;
  /**
   * The text before the pid in the log file names, instead of `<logFilePrefix>_` (the original
   * writes `None` there for log_file_prefix=None).
   */
  fileNamePrefix?: string;
  /** Notices written right after the start lines (the original's warnings a program's options ask for). */
  startNotices?: Notice[];
  /** Warnings and bare device lines on the console at verbose 0 too (the original's, for a Python program). */
  warnAtVerboseZero?: boolean;
  /** Reads the answer to "Continue training (y/n)?" (stopAndConfirm); undefined at end of input. Default: a line of stdin. */
  readAnswer?: () => Promise<string | undefined>;
  /** Called when the user answered "n" (the CLI then ends its child). */
  onUserStop?: () => void;
  /** What the start record names as the run's command (the CLI: the wrapped command); default: the script. */
  command?: string[];
  /**
   * A reading `sampler` took before this tracker was built (the CLI reads it, starts its command
   * at once and builds the tracker while it runs): the run starts there, and the first
   * epochStart() starts at it instead of reading again, so that epoch's energy is exact.
   */
  baseline?: Snapshot;
}

/** The library's own sampler (see startBackgroundSampler); the registry's backends are handed in here. */
function librarySampler(config: SamplerConfig, o: ResolvedOptions): Sampler {
  // The sample recorder, where it was built, reads between batches, so the sampler's thread wakes
  // once a minute, not every sample, as the CLI's does.
  const recorded = { ...config, sampleRecorder: sampleRecorderBinary(o.env) };
  // Samples reach the run through the listener it adds.
  return startBackgroundSampler(recorded, () => undefined, BACKENDS, o.componentsExplicit);
}

/** Passes every record of the event stream to a record sink. */
function recordsTo(sink: RecordSink): EventSink {
  return {
    handle: (event) => {
      if (event.type === "record") sink.write(event.record);
    },
    close: () => sink.close?.(),
  };
}

/** The run's default sinks: console, and with a log folder the three text logs and the JSONL. */
function defaultSinks(
  o: ResolvedOptions,
  files: ReturnType<typeof runFiles> | undefined,
  warnAtVerboseZero: boolean,
): EventSink[] {
  const secrets = [...Object.values(o.apiKeys), o.env.ELECTRICITYMAPS_API_KEY ?? ""].filter(Boolean);
  const style = { decimalPrecision: o.decimalPrecision, interpretable: o.interpretable };
  const console = new ConsoleSink({
    ...style,
    verbose: o.verbose,
    write: o.console,
    secrets,
    warnAtVerboseZero,
  });
  if (!files) return [console];
  const logFiles = new LogFiles(files, secrets, (warning) => console.alwaysWarn(warning));
  logFiles.open();
  return [
    console,
    new TextLogSink(logFiles, style),
    new JsonlSink(logFiles),
    { handle: () => {}, close: () => logFiles.close() },
  ];
}

/** Tracks and predicts the energy and carbon footprint of a training run, epoch by epoch. */
export class CarbonTracker {
  /** Options after defaults. */
  readonly options: ResolvedOptions;
  private readonly run: TrackerRun;

  /**
   * Starts tracking at once: detects hardware, opens the logs, starts sampling. File-based
   * hardware (RAPL, /proc, hwmon) is detected on this thread at once. A GPU read through its
   * driver (NVML) is detected in the sampler worker and joins when it is ready (tens of
   * milliseconds; an epoch that began before counts the moments until then at the GPU's first
   * power reading): the start lines that name the devices come then, or at the next epochEnd()
   * or stop() if the event loop was busy until then. With `components` named, or where the CPU
   * needs a driver too (powermetrics), detection in the worker is waited for synchronously (up
   * to 20 s on a hung driver): use `CarbonTracker.create()` to wait without blocking the event
   * loop.
   */
  constructor(options: TrackerOptions, internals: TrackerInternals = {}) {
    this.options = resolveOptions(options);
    const o = this.options;
    const start = new Date(internals.baseline?.tMs ?? Date.now());
    // Named after the tracked process (a Python program driving the engine), as the original names them.
    const files = o.logDir
      ? runFiles(o.logDir, internals.fileNamePrefix ?? namePrefix(o.logFilePrefix), o.pid, logFileId(), start)
      : undefined;
    const sinks = [
      ...defaultSinks(o, files, internals.warnAtVerboseZero ?? false),
      ...(internals.sinks ?? []).map(recordsTo),
    ];
    const election = internals.election ?? electSharedDeviceMeasurer(o.env);
    const config = samplerConfig(o, election);
    const identity = slurmIdentity(o.env);
    const intensity = (notice: (notice: Notice) => void): IntensityProvider =>
      internals.intensity ??
      createIntensityProvider({
        country: o.country,
        zone: o.zone,
        env: o.env,
        apiKeys: o.apiKeys,
        onMessage: (level, text) => notice({ level: level === "warning" ? "warning" : "info", text }),
      });
    this.run = new TrackerRun({
      options: o,
      sinks,
      intensity,
      election,
      measured: config.components,
      slurm: identity ? slurmStartFields(identity, election) : undefined,
      logFiles: files,
      publicOptions: publicOptions(o),
      actualWithoutEpochCount: internals.actualWithoutEpochCount ?? false,
      startNotices: internals.startNotices,
      readAnswer: internals.readAnswer ?? readStdinLine,
      onUserStop: internals.onUserStop,
      command: internals.command ?? process.argv.slice(1, 2),
      baseline: internals.baseline,
    });
    this.run.begin(() => internals.sampler ?? librarySampler(config, o));
  }

  /**
   * Starts tracking without blocking the event loop: the sampler worker detects the hardware
   * (every device, a GPU too) while the caller's loop runs, then the tracker starts as the
   * constructor would, its start lines at once.
   */
  static async create(options: TrackerOptions, internals: TrackerInternals = {}): Promise<CarbonTracker> {
    if (internals.sampler) return newTracker(options, internals);
    const o = resolveOptions(options);
    const election = internals.election ?? electSharedDeviceMeasurer(o.env);
    const sampler = librarySampler(samplerConfig(o, election), o);
    await new Promise<void>((resolve) => {
      if (!sampler.describedLater?.(resolve)) resolve();
    });
    // A sampler reading on this thread first has nothing else to wait for.
    if (sampler instanceof WorkerSampler) {
      try {
        await sampler.ready();
      } catch {
        // The constructor reports it (ignoreErrors decides whether it throws).
      }
    }
    return newTracker(options, { ...internals, sampler, election });
  }

  /** Records why the run is ending (the CLI: its child got a signal) for the JSONL `end` record. */
  setEndReason(reason: EndReason): void {
    this.run.setEndReason(reason);
  }

  /** Whether monitoring is over (all monitored epochs done, stopped, or switched off). */
  get finished(): boolean {
    return this.run.finished;
  }

  /** Marks the start of an epoch: reads every device's counter now. */
  epochStart(): void {
    this.run.epochStart();
  }

  /**
   * Marks the end of an epoch: its energy is the counters' difference since epochStart. Reports
   * the prediction after `epochsBeforePred` epochs and the actual after `monitorEpochs`.
   * Everything is written before this returns; awaiting it is optional, except with
   * `stopAndConfirm`: the prediction epoch resolves once the user answered, and after "n"
   * tracking is stopped (`finished` is true) so the training loop can end.
   * @param options.predict false: no prediction at this epoch (the CLI, for a command that marked none).
   */
  epochEnd(options: { predict?: boolean } = {}): Promise<EpochResult | undefined> {
    return this.run.epochEnd(options);
  }

  /**
   * Ends tracking. Before all monitored epochs finished, it reports the epochs finished so far
   * and records that training was interrupted. Everything is written before this returns.
   * @param reason `signal` when stopping because the process was told to end.
   */
  stop(reason: "stopped" | "signal" = "stopped"): Promise<RunResult | undefined> {
    return this.run.stop(reason);
  }
}

/**
 * create()'s constructor call, outside the class: the library's bundle (scripts/bundle.mjs) would
 * rename a class that names itself in its own body, and users see CarbonTracker's name.
 */
function newTracker(options: TrackerOptions, internals: TrackerInternals): CarbonTracker {
  return new CarbonTracker(options, internals);
}

/** Options as the `start` record shows them: no environment, no console, API key names only. */
function publicOptions(o: ResolvedOptions): Record<string, unknown> {
  const { env: _env, console: _console, apiKeys, ...rest } = o;
  return { ...rest, apiKeys: Object.keys(apiKeys) };
}
