// Background samples wait in a batch before they reach the tracker's thread: a wake-up of that
// thread (and making and writing the records) costs more than a whole sample (issue 16's steady
// bench), so it comes once a batch. A batch is 10 samples, at most 10 s of them: 10 s at the
// default 1 s interval, each sample at once at a minute. Once a sample recorder reads the
// counters for the sampler (recorder-replay.ts), the recorded samples are taken once a minute
// instead (RECORDED_HARVEST_MS): a wake-up of the tracker's thread costs several of the
// recorder's. The JSONL (and a dashboard watching it) gets background samples up to 10 s late,
// 60 s once the recorder runs, and a run killed by SIGKILL loses at most those; boundary reads
// take every sample taken so far, so epochs never wait for a batch.
import type { Snapshot } from "./reader-set.js";

/** Samples in a batch, unless its span says less. */
const SAMPLES_PER_BATCH = 10;
/** Longest span of a batch by default (ms). */
const MAX_BATCH_SPAN_MS = 10_000;

/**
 * How often (ms) a sampler with a sample recorder takes the recorded samples: once a minute, or
 * once a batch where a batch is longer. On the build VM a wake-up of the CLI costs 1.5-2 ms of
 * CPU, the recorder's whole second 0.07-0.11 ms (issue 16's steady bench).
 */
export const RECORDED_HARVEST_MS = 60_000;

/** The default span of a batch (ms) for samples taken every `readIntervalMs`. */
export function defaultBatchSpanMs(readIntervalMs: number): number {
  return Math.min(SAMPLES_PER_BATCH * readIntervalMs, MAX_BATCH_SPAN_MS);
}

/** Samples waiting to be handed over together. */
export class SampleBatch {
  private pending: Snapshot[] = [];

  /**
   * @param spanMs how long a batch spans (0: each sample is handed over at once)
   * @param readIntervalMs the time between samples
   */
  constructor(
    readonly spanMs: number,
    private readonly readIntervalMs: number,
  ) {}

  /** Adds a sample; true when the batch is due, as the next sample would take it past its span. */
  add(snapshot: Snapshot): boolean {
    this.pending.push(snapshot);
    const first = this.pending[0] as Snapshot;
    return snapshot.tMs - first.tMs + this.readIntervalMs >= this.spanMs;
  }

  /** The samples waiting, oldest first; the batch is empty afterwards. */
  take(): Snapshot[] {
    const taken = this.pending;
    this.pending = [];
    return taken;
  }
}
