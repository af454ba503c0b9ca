// The one measurement of a CLI run or an engine session: a tracker wired as the CLI wires it
// (one shared-device election per process, a sampler in this thread or, where a driver call may
// hang, in a worker), which the program's own `CarbonTracker(...)` options may replace before its
// first epoch. A replaced tracker leaves no log files behind (the parser would see a phantom run),
// its console lines are not printed twice (a replacement prints only the start-up lines its
// predecessor did not), and the open sampler is reused when what is measured
// stays the same. The CLI builds the first tracker only once its command runs (prepare(), then
// start() with the baseline read just before the command started). Where only the GPU needs a
// driver and the components were not named, the command does not wait for the sampler worker
// either: the baseline is the files' (this thread's), and the GPU joins once the worker has read
// it (HandoffSampler's late components).
import { rmSync } from "node:fs";
import { TrackerStateError } from "../errors/index.js";
import { CarbonTracker } from "../library/carbon-tracker.js";
import { resolveOptions, samplerConfig, type TrackerOptions } from "../tracker/options.js";
import type { ReaderNotice } from "../hardware/types.js";
import type { RecordSink } from "../logs/schema.js";
import { InThreadSampler, type Sampler, type SamplerConfig } from "../sampling/sampler.js";
import { WorkerSampler } from "../sampling/worker-sampler.js";
import { HandoffSampler, type TakeoverFactory } from "../sampling/handoff-sampler.js";
import { NvmlProxySampler } from "../sampling/nvml-proxy-sampler.js";
import { nvmlProxyBinary, sampleRecorderBinary } from "../data/native-helpers.js";
import type { Snapshot } from "../sampling/reader-set.js";
import { electSharedDeviceMeasurer, type SharedDeviceElection } from "../cluster/shared-device-election.js";
import { BACKENDS } from "../hardware/registry.js";
import { lateComponents, mayBlockInDriver } from "../sampling/sampler-choice.js";
import { startNotices, type OriginalStyle } from "./original-style.js";

/**
 * Options of a slot's trackers: everything but where their console lines go, and for a tracker
 * built from a program's `CarbonTracker(...)`, what it writes as the original does.
 */
export type SlotTrackerOptions = Omit<TrackerOptions, "console" | "stdout"> & { original?: OriginalStyle };

/** What every tracker of the slot is given. */
export interface SlotHooks {
  /** Where the trackers' console lines go. */
  console: (text: string) => void;
  /** Environment for the election and the sampler choice (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Extra record sinks (the live view). */
  sinks?: RecordSink[];
  /** Each background sample (the live view, the engine's parent check). */
  onSample?: (snapshot: Snapshot) => void;
  /** The user answered "n" to "Continue training (y/n)?". */
  onUserStop?: () => void;
  /** Reads that answer; default a line of this process's stdin. */
  readAnswer?: () => Promise<string | undefined>;
  /** The command the run wraps, for the `start` record. */
  command?: string[];
  /** How a sampler thread hands its samples over (0: each at once, for a live view); see SamplerConfig. */
  sampleBatchMs?: number;
}

/** A sampler the slot owns, lent to its trackers: theirs to read, not to close. */
class SharedSampler {
  private readonly seen: ReaderNotice[] = [];

  constructor(
    readonly sampler: Sampler,
    readonly key: string,
  ) {}

  /** A view for one tracker; its first drainNotices() replays what earlier trackers drained. */
  lend(): Sampler {
    const { sampler, seen } = this;
    let first = true;
    return {
      description: () => sampler.description(),
      readNow: () => sampler.readNow(),
      drainNotices: () => {
        const fresh = sampler.drainNotices();
        seen.push(...fresh);
        if (!first) return fresh;
        first = false;
        return [...seen];
      },
      close: () => {},
      addListener: (listener) => sampler.addListener?.(listener),
    };
  }
}

/** Holds the current tracker of a run and what it measures with. */
export class TrackerSlot {
  private current: CarbonTracker | undefined;
  /** What the tracker in force writes as the original does. */
  private currentStyle: OriginalStyle | undefined;
  /** What the tracker in force printed while it was built (a replacement's same lines are dropped). */
  private constructionText = "";
  /** Each tracker's console: held while its constructor runs, muted once it is replaced. */
  private readonly gates = new WeakMap<CarbonTracker, { muted: boolean }>();

  private constructor(
    private shared: SharedSampler,
    private readonly election: SharedDeviceElection,
    private readonly hooks: SlotHooks,
    private readonly firstOptions: SlotTrackerOptions,
  ) {}

  /**
   * Elects, opens the sampler and starts the first tracker (its console lines go out at once).
   * @throws InvalidOptionError for a bad option, or what the tracker's constructor throws.
   */
  static async open(options: SlotTrackerOptions, hooks: SlotHooks): Promise<TrackerSlot> {
    const slot = await TrackerSlot.prepare(options, hooks);
    try {
      slot.start();
    } catch (error) {
      slot.close();
      throw error;
    }
    return slot;
  }

  /**
   * Elects and opens the sampler; the first tracker is built by start().
   * @throws InvalidOptionError for a bad option.
   */
  static async prepare(options: SlotTrackerOptions, hooks: SlotHooks): Promise<TrackerSlot> {
    const env = hooks.env ?? process.env;
    const election = electSharedDeviceMeasurer(env);
    let shared: SharedSampler | undefined;
    try {
      const resolved = resolveOptions({ ...options });
      const config = samplerConfig(resolved, election);
      // A run whose components were named fails before its command starts when one is missing
      // (refuses()), so it waits for every device; otherwise a GPU may join late.
      shared = await openShared(config, JSON.stringify(config), hooks, env, resolved.componentsExplicit);
      return new TrackerSlot(shared, election, hooks, options);
    } catch (error) {
      shared?.sampler.close();
      election.release();
      throw error;
    }
  }

  /**
   * Builds the first tracker (once; later calls return it), its first epoch starting at
   * `baseline` when given: a reading of the slot's sampler taken before the command started.
   * @throws what the tracker's constructor throws.
   */
  start(baseline?: Snapshot): CarbonTracker {
    if (!this.current) {
      this.current = this.buildWith(this.shared, this.firstOptions, true, baseline);
      this.currentStyle = this.firstOptions.original;
    }
    return this.current;
  }

  /**
   * Whether the first tracker will refuse to start (a component named in --components has no
   * device, without ignoreErrors): the CLI then starts it before the command, which never runs.
   */
  refuses(): boolean {
    const resolved = resolveOptions({ ...this.firstOptions });
    if (!resolved.componentsExplicit || resolved.ignoreErrors) return false;
    const devices = this.shared.sampler.description().devices;
    return samplerConfig(resolved, this.election).components.some(
      (component) => !devices.some((d) => d.component === component),
    );
  }

  /** The tracker in force. */
  get tracker(): CarbonTracker {
    if (!this.current)
      throw new TrackerStateError("the run's tracker is not started yet: call start() first.");
    return this.current;
  }

  /** Devices the slot's sampler reads (for the live view). */
  get sampler(): Sampler {
    return this.shared.sampler;
  }

  /**
   * Puts a tracker built from `options` in force. While the current one has measured no epoch
   * it is replaced: stopped without a word, its log files removed, and the new one's start-up
   * lines printed only where they differ. After the current one stopped, the new one is the
   * next run. Options equal to the current ones change nothing.
   * @throws InvalidOptionError for a bad option (the current tracker then stays in force).
   */
  async replace(options: SlotTrackerOptions): Promise<void> {
    const old = this.tracker;
    const nextRun = old.finished;
    if (!nextRun && sameOptions(old, options) && sameStyle(this.currentStyle, options)) return;
    const config = configOf(options, this.election);
    const key = JSON.stringify(config);
    let shared = this.shared;
    if (key !== shared.key) shared = await openShared(config, key, this.hooks, this.hooks.env ?? process.env);
    let next: CarbonTracker;
    try {
      next = this.buildWith(shared, options, nextRun);
    } catch (error) {
      if (shared !== this.shared) shared.sampler.close();
      throw error;
    }
    if (!nextRun) {
      const result = await this.silenced(old).stop();
      for (const file of Object.values(result?.logFiles ?? {})) rmSync(file, { force: true });
    }
    if (shared !== this.shared) {
      this.shared.sampler.close();
      this.shared = shared;
    }
    this.current = next;
    this.currentStyle = options.original;
  }

  /** Closes the sampler and gives up the election; call after the last tracker stopped. */
  close(): void {
    this.shared.sampler.close();
    this.election.release();
  }

  private silenced(tracker: CarbonTracker): CarbonTracker {
    const gate = this.gates.get(tracker);
    if (gate) gate.muted = true;
    return tracker;
  }

  private buildWith(
    shared: SharedSampler,
    options: SlotTrackerOptions,
    first: boolean,
    baseline?: Snapshot,
  ): CarbonTracker {
    // Console lines are held while the constructor runs, so a replacement's can be compared
    // with its predecessor's and dropped when they say the same.
    const gate = { muted: false, held: "" as string | undefined };
    const write = (text: string) => {
      if (gate.muted) return;
      if (gate.held === undefined) this.hooks.console(text);
      else gate.held += text;
    };
    const { original, ...trackerOptions } = options;
    const tracker = new CarbonTracker(
      { ...trackerOptions, console: write },
      {
        sampler: shared.lend(),
        election: { ...this.election, release: () => {} },
        sinks: this.hooks.sinks,
        onUserStop: this.hooks.onUserStop,
        readAnswer: this.hooks.readAnswer,
        // Never this process's own script (carbontracker's main.js under the engine): none unless named.
        command: this.hooks.command ?? [],
        baseline,
        actualWithoutEpochCount: original?.actualWithoutEpochCount ?? false,
        fileNamePrefix: original?.fileNamePrefix,
        startNotices: startNotices(original, this.hooks.env ?? process.env),
        warnAtVerboseZero: original?.warnAtVerboseZero ?? false,
      },
    );
    this.gates.set(tracker, gate);
    const text = gate.held ?? "";
    gate.held = undefined;
    const shown = first ? text : linesNotIn(text, this.constructionText);
    if (shown) this.hooks.console(shown);
    this.constructionText = text;
    return tracker;
  }
}

/** The lines of `text` that `before` did not hold (each as often as it holds them), in order. */
function linesNotIn(text: string, before: string): string {
  const left = new Map<string, number>();
  for (const line of before.split(/(?<=\n)/)) left.set(line, (left.get(line) ?? 0) + 1);
  return text
    .split(/(?<=\n)/)
    .filter((line) => {
      const count = left.get(line) ?? 0;
      if (count > 0) left.set(line, count - 1);
      return count === 0;
    })
    .join("");
}

/** Whether `options` resolve to what `tracker` runs with. */
function sameOptions(tracker: CarbonTracker, options: SlotTrackerOptions): boolean {
  const comparable = (o: object) => JSON.stringify({ ...o, env: undefined, console: undefined });
  return comparable(resolveOptions({ ...options, env: tracker.options.env })) === comparable(tracker.options);
}

/** Whether `options` ask for the style of the tracker in force. */
function sameStyle(style: OriginalStyle | undefined, options: SlotTrackerOptions): boolean {
  return JSON.stringify(style ?? {}) === JSON.stringify(options.original ?? {});
}

/** What the sampler of `options` reads; equal configs can share one sampler. */
function configOf(options: SlotTrackerOptions, election: SharedDeviceElection): SamplerConfig {
  return samplerConfig(resolveOptions({ ...options }), election);
}

/**
 * Opens the sampler of `config`, known by `key` (its JSON). Where only the GPU needs a driver and
 * the components were not named (lateComponents), the other components are read on this thread
 * until the worker that reads the GPU has started (see HandoffSampler); by default every device
 * is waited for.
 */
async function openShared(
  config: SamplerConfig,
  key: string,
  hooks: SlotHooks,
  env: NodeJS.ProcessEnv,
  componentsExplicit = true,
): Promise<SharedSampler> {
  const onSample = (snapshot: Snapshot) => hooks.onSample?.(snapshot);
  const batched =
    hooks.sampleBatchMs === undefined ? config : { ...config, sampleBatchMs: hooks.sampleBatchMs };
  // The sampler, in this thread or its worker, leaves its background reads to the recorder.
  const recorded = { ...batched, sampleRecorder: sampleRecorderBinary(env) };
  if (!mayBlockInDriver(config.components, env)) {
    return new SharedSampler(await InThreadSampler.open(recorded, onSample, BACKENDS), key);
  }
  // Where NVML alone may block (no powermetrics) and the NVML proxy was built, the GPU is asked
  // through the proxy from this thread, and no sampler worker is started.
  const proxy = nvmlProxyBinary(env);
  const proxied =
    proxy !== undefined &&
    !mayBlockInDriver(
      config.components.filter((component) => component !== "gpu"),
      env,
    );
  const takeover: TakeoverFactory | undefined = proxied
    ? (c, sampled, detected) => new NvmlProxySampler(c, sampled, BACKENDS, proxy, detected)
    : undefined;
  const components = lateComponents(config.components, env, componentsExplicit);
  const late =
    components.length > 0
      ? HandoffSampler.tryStart(recorded, onSample, BACKENDS, {
          components,
          workerStarts: "after-first-boundary",
          ...(takeover ? { takeover } : {}),
        })
      : undefined;
  const sampler: Sampler =
    late ??
    (proxied
      ? new NvmlProxySampler(recorded, onSample, BACKENDS, proxy)
      : new WorkerSampler(recorded, onSample));
  return new SharedSampler(sampler, key);
}
