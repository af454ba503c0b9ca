// Background sampling of the run's readers. Two ways with one shape: in the calling thread (the
// CLI, whose main thread is idle) or in a worker thread (the library, whose host may block its
// event loop for a whole epoch). Epoch boundaries read synchronously either way.
import type { Backend, Component, DetectionContext, ReaderNotice } from "../hardware/types.js";
import { detectReaders } from "../hardware/detect.js";
import { ReaderSet, type SamplerDescription, type Snapshot } from "./reader-set.js";
import { defaultBatchSpanMs, SampleBatch } from "./sample-batch.js";

/** A running sampler. */
export interface Sampler {
  /** Devices, skip reasons and the interval used (waits for detection in a worker). */
  description(): SamplerDescription;
  /** Reads every device now, synchronously. */
  readNow(): Snapshot;
  /** Reader notices since the last call. */
  drainNotices(): ReaderNotice[];
  /** Stops sampling and closes the readers. */
  close(): void;
  /** Adds a background-sample listener (for a sampler opened before its tracker). */
  addListener?(listener: SampleListener): void;
  /**
   * True when some devices are still joining (a GPU whose driver a worker opens): `listener` is
   * called once description() is complete, and description() would wait until then. False (or
   * absent) when description() is complete now.
   */
  describedLater?(listener: () => void): boolean;
}

/** Called with each background sample. */
export type SampleListener = (snapshot: Snapshot) => void;

/** What a sampler needs to find and read hardware. */
export interface SamplerConfig {
  components: Component[];
  context: DetectionContext;
  updateIntervalMs: number;
  /**
   * Samplers hand their background samples over in batches spanning this long (ms), so the
   * tracker's thread wakes (and makes and writes records) once per batch, not per sample; 0
   * hands each over at once (the live status line). Default: see sample-batch.ts (10 samples,
   * 10 s at most). Boundary reads take every sample taken so far.
   */
  sampleBatchMs?: number;
}

/** The batch of a sampler reading every `readIntervalMs`. */
export function sampleBatchFor(config: SamplerConfig, readIntervalMs: number): SampleBatch {
  return new SampleBatch(config.sampleBatchMs ?? defaultBatchSpanMs(readIntervalMs), readIntervalMs);
}

/**
 * Samples on a timer in the calling thread. Listeners get the samples in batches, like a
 * worker's (SamplerConfig.sampleBatchMs): each tick only reads, and the records are made and
 * written once a batch, while the code that does it is still warm.
 */
export class InThreadSampler implements Sampler {
  private readonly timer: NodeJS.Timeout;
  private readonly info: SamplerDescription;
  private readonly listeners: SampleListener[] = [];
  private readonly batch: SampleBatch;

  private constructor(
    private readonly set: ReaderSet,
    config: SamplerConfig,
    onSample: SampleListener,
  ) {
    this.listeners.push(onSample);
    this.info = set.describe(config.updateIntervalMs);
    const batch = sampleBatchFor(config, this.info.readIntervalMs);
    this.batch = batch;
    set.readNow();
    this.timer = setInterval(() => {
      if (batch.add(set.readNow(Date.now, "sample"))) this.deliverPending();
    }, this.info.readIntervalMs);
    this.timer.unref();
  }

  /** Detects the hardware with the given backends (the composition root's registry) and starts sampling. */
  static async open(
    config: SamplerConfig,
    onSample: SampleListener,
    backends: Record<Component, Backend[]>,
  ): Promise<InThreadSampler> {
    const detection = await detectReaders(config.components, config.context, backends);
    const set = new ReaderSet(detection.readers, detection.skipped, detection.notices);
    return new InThreadSampler(set, config, onSample);
  }

  description(): SamplerDescription {
    return this.info;
  }

  addListener(listener: SampleListener): void {
    this.listeners.push(listener);
  }

  /** Reads now, after handing over every sample taken before (so they come first, in order). */
  readNow(): Snapshot {
    this.deliverPending();
    return this.set.readNow();
  }

  private deliverPending(): void {
    for (const snapshot of this.batch.take()) for (const listener of this.listeners) listener(snapshot);
  }

  drainNotices(): ReaderNotice[] {
    return this.set.drainNotices();
  }

  /** Stops sampling; samples after the last boundary read belong to no epoch and are dropped. */
  close(): void {
    clearInterval(this.timer);
    this.batch.take();
    this.set.close();
  }
}
