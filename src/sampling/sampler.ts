// Background sampling of the run's readers. Two ways with one shape: in the calling thread (the
// CLI, whose main thread is idle) or in a worker thread (the library, whose host may block its
// event loop for a whole epoch). Epoch boundaries read synchronously either way.
import type { Backend, Component, DetectionContext, ReaderNotice } from "../hardware/types.js";
import { detectReaders } from "../hardware/detect.js";
import { ReaderSet, type SamplerDescription, type Snapshot } from "./reader-set.js";

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
}

/** Called with each background sample. */
export type SampleListener = (snapshot: Snapshot) => void;

/** What a sampler needs to find and read hardware. */
export interface SamplerConfig {
  components: Component[];
  context: DetectionContext;
  updateIntervalMs: number;
  /**
   * A sampler in another thread hands its background samples over in batches spanning this
   * long (ms), so the receiving thread wakes once per batch, not per sample (as often as the
   * JSONL writes them, for a live view of the run); 0 hands each over at once (the live status
   * line). Default SAMPLE_BATCH_MS. Boundary reads take every sample taken so far.
   */
  sampleBatchMs?: number;
}

/** Default span of a batch of background samples handed to the tracker's thread (ms). */
export const SAMPLE_BATCH_MS = 1000;

/** Samples on a timer in the calling thread. */
export class InThreadSampler implements Sampler {
  private readonly timer: NodeJS.Timeout;
  private readonly info: SamplerDescription;
  private readonly listeners: SampleListener[] = [];

  private constructor(
    private readonly set: ReaderSet,
    updateIntervalMs: number,
    onSample: SampleListener,
  ) {
    this.listeners.push(onSample);
    this.info = set.describe(updateIntervalMs);
    set.readNow();
    this.timer = setInterval(() => {
      const snapshot = set.readNow();
      for (const listener of this.listeners) listener(snapshot);
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
    return new InThreadSampler(set, config.updateIntervalMs, onSample);
  }

  description(): SamplerDescription {
    return this.info;
  }

  addListener(listener: SampleListener): void {
    this.listeners.push(listener);
  }

  readNow(): Snapshot {
    return this.set.readNow();
  }

  drainNotices(): ReaderNotice[] {
    return this.set.drainNotices();
  }

  close(): void {
    clearInterval(this.timer);
    this.set.close();
  }
}
