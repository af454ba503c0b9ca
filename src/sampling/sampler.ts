// Background sampling of the run's readers. Two ways with one shape: in the calling thread (the
// CLI, whose main thread is idle) or in a worker thread (the library, whose host may block its
// event loop for a whole epoch). Epoch boundaries read synchronously either way.
import type { Backend, Component, DetectionContext, ReaderNotice } from "../hardware/types.js";
import { detectReaders, type Detection } from "../hardware/detect.js";
import { ReaderSet, type SamplerDescription, type Snapshot } from "./reader-set.js";
import { defaultBatchSpanMs, SampleBatch } from "./sample-batch.js";
import { traceRecordableReads } from "../hardware/recorded-reads.js";
import type { SampleRecorder } from "./sample-recorder.js";
import {
  harvestSpanMs,
  recorderStartMs,
  replayRecordedSamples,
  startRecorderFor,
  type RecorderTiming,
} from "./recorder-replay.js";

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
  /**
   * The sample recorder's executable (see sample-recorder.ts), where the composition root found
   * one: a sampler in the calling thread or in its worker then leaves its background reads (files,
   * NVML's power) to it and wakes once a batch. Undefined: it reads every sample itself.
   */
  sampleRecorder?: string;
  /**
   * How often (ms) a sampler whose recorder runs takes the recorded samples, and reads once live.
   * Default RECORDED_HARVEST_MS (sample-batch.ts); a test shortens it.
   */
  recordedHarvestMs?: number;
}

/** The batch of a sampler reading every `readIntervalMs`. */
export function sampleBatchFor(config: SamplerConfig, readIntervalMs: number): SampleBatch {
  return new SampleBatch(config.sampleBatchMs ?? defaultBatchSpanMs(readIntervalMs), readIntervalMs);
}

/**
 * Samples on a timer in the calling thread. Listeners get the samples in batches, like a
 * worker's (SamplerConfig.sampleBatchMs): each tick only reads, and the records are made and
 * written once a batch, while the code that does it is still warm. With a sample recorder
 * (SamplerConfig.sampleRecorder) and batches of several samples, the tick that closes the first
 * batch hands the files it read to the recorder (recorderStartMs), and from then on this thread
 * wakes once a minute (harvestSpanMs), to parse the recorded samples with the same readers and
 * read once live; it samples itself again if the recorder ends.
 */
export class InThreadSampler implements Sampler {
  private timer: NodeJS.Timeout;
  private readonly info: SamplerDescription;
  private readonly listeners: SampleListener[] = [];
  private readonly batch: SampleBatch;
  private recorder: SampleRecorder | undefined;
  /** The recorder's executable until a tick has tried it (the first at recorderFromMs or later). */
  private recorderBinary: string | undefined;
  private readonly recorderFromMs: number;
  private readonly recorderTiming: RecorderTiming;
  /** The date of the last read, recorded or live: a recorded sample no later is dropped. */
  private lastReadMs: number;
  /** The reading taken as sampling started, right after detection. */
  readonly firstReading: Snapshot;

  private constructor(
    private readonly set: ReaderSet,
    config: SamplerConfig,
    onSample: SampleListener,
  ) {
    this.listeners.push(onSample);
    this.info = set.describe(config.updateIntervalMs);
    this.batch = sampleBatchFor(config, this.info.readIntervalMs);
    this.recorderBinary =
      this.batch.spanMs >= 2 * this.info.readIntervalMs ? config.sampleRecorder : undefined;
    this.recorderTiming = {
      intervalMs: this.info.readIntervalMs,
      batchSpanMs: this.batch.spanMs,
      harvestMs: config.recordedHarvestMs,
    };
    this.firstReading = set.readNow();
    this.lastReadMs = this.firstReading.tMs;
    this.recorderFromMs = recorderStartMs(this.lastReadMs, this.recorderTiming);
    this.timer = this.sampleEvery(this.info.readIntervalMs);
  }

  private sampleEvery(intervalMs: number): NodeJS.Timeout {
    const timer = setInterval(() => this.tick(), intervalMs);
    timer.unref();
    return timer;
  }

  /** A background read of this thread's own; the one that closes the first batch hands the files it read to a recorder. */
  private tick(): void {
    const binary = Date.now() >= this.recorderFromMs ? this.recorderBinary : undefined;
    let snapshot: Snapshot;
    if (binary === undefined) {
      snapshot = this.set.readNow(Date.now, "sample");
    } else {
      this.recorderBinary = undefined;
      const traced = traceRecordableReads(() => this.set.readNow(Date.now, "sample"));
      snapshot = traced.result;
      this.recorder = startRecorderFor(binary, traced, this.recorderTiming, () => this.harvest());
      if (this.recorder) {
        clearInterval(this.timer);
        this.timer = setInterval(() => this.onHarvestDue(), harvestSpanMs(this.recorderTiming));
        this.timer.unref();
      }
    }
    this.lastReadMs = snapshot.tMs;
    if (this.batch.add(snapshot)) this.deliverPending();
  }

  /**
   * The recorded samples, then one read live, handed over together: a replay never calls a driver,
   * so the live read is where NVML's counter anchors are taken (see nvml-reader.ts).
   */
  private onHarvestDue(): void {
    this.harvest();
    if (this.recorder === undefined) return;
    const snapshot = this.set.readNow(Date.now, "sample");
    this.lastReadMs = snapshot.tMs;
    this.batch.add(snapshot);
    this.deliverPending();
  }

  /**
   * Parses the samples the recorder took since the last harvest, in order, and hands them over.
   * A recorder that has ended (this runs as soon as it does) is dropped, and this thread samples
   * itself again.
   */
  private harvest(): void {
    const recorder = this.recorder;
    if (recorder === undefined) return;
    this.lastReadMs = replayRecordedSamples(recorder, this.set, this.lastReadMs, (snapshot) =>
      this.batch.add(snapshot),
    );
    if (!recorder.running) {
      recorder.close();
      this.recorder = undefined;
      clearInterval(this.timer);
      this.timer = this.sampleEvery(this.info.readIntervalMs);
    }
    this.deliverPending();
  }

  /** Detects the hardware with the given backends (the composition root's registry) and starts sampling. */
  static async open(
    config: SamplerConfig,
    onSample: SampleListener,
    backends: Record<Component, Backend[]>,
  ): Promise<InThreadSampler> {
    return InThreadSampler.fromDetection(
      await detectReaders(config.components, config.context, backends),
      config,
      onSample,
    );
  }

  /** Starts sampling the readers of a detection made already. */
  static fromDetection(
    detection: Detection,
    config: SamplerConfig,
    onSample: SampleListener,
  ): InThreadSampler {
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
    this.harvest();
    this.deliverPending();
    const snapshot = this.set.readNow();
    this.lastReadMs = snapshot.tMs;
    return snapshot;
  }

  private deliverPending(): void {
    const snapshots = this.batch.take();
    const listeners = this.listeners;
    for (let s = 0; s < snapshots.length; s += 1)
      for (let l = 0; l < listeners.length; l += 1)
        (listeners[l] as SampleListener)(snapshots[s] as Snapshot);
  }

  drainNotices(): ReaderNotice[] {
    return this.set.drainNotices();
  }

  /** Stops sampling; samples after the last boundary read belong to no epoch and are dropped. */
  close(): void {
    clearInterval(this.timer);
    this.recorder?.close();
    this.recorder = undefined;
    this.batch.take();
    this.set.close();
  }
}
