// What a sampler does with its sample recorder (sample-recorder.ts), in whichever thread it
// samples: start one, when its first batch closes, for what that sample read, and parse the
// recorded samples with its own readers.
import { replayRecorded, type TracedReads } from "../hardware/recorded-reads.js";
import type { ReaderSet, Snapshot } from "./reader-set.js";
import { RECORDED_HARVEST_MS } from "./sample-batch.js";
import { SampleRecorder, type RecordedSample } from "./sample-recorder.js";

/** How a sampler samples, for its recorder. */
export interface RecorderTiming {
  intervalMs: number;
  /** Its batch's span: the sample that closes the first batch starts the recorder. */
  batchSpanMs: number;
  /** How often (ms) it takes the recorded samples: SamplerConfig.recordedHarvestMs. */
  harvestMs?: number;
}

/** How long (ms) a sampler whose recorder runs sleeps between harvests of the recorded samples. */
export function harvestSpanMs(timing: RecorderTiming): number {
  return Math.max(timing.batchSpanMs, timing.harvestMs ?? RECORDED_HARVEST_MS);
}

/**
 * When a sampler that started at `startMs` starts its recorder: with the sample that closes its
 * first batch. Starting one (a fork, the ring, the replay's first compile) cost 3-9 ms of CPU on
 * the build VM, which the 0.3 ms/s it saves repays only after half a minute: a run shorter than a
 * batch never starts one.
 */
export function recorderStartMs(startMs: number, timing: RecorderTiming): number {
  return startMs + timing.batchSpanMs - timing.intervalMs / 2;
}

/**
 * Starts a recorder that reads what `traced` read, every interval. Undefined when there is
 * nothing it could read, when the sample needed a call only the readers can make (NVML's counter
 * of a GPU without power to cross-check with), or when it cannot start: the sampler then goes on
 * reading every sample itself.
 */
export function startRecorderFor(
  binary: string,
  traced: TracedReads<unknown>,
  timing: RecorderTiming,
  onExit: () => void,
): SampleRecorder | undefined {
  if (traced.liveOnly.length > 0) return undefined;
  if (traced.files.length === 0 && traced.nvmlPower.length === 0) return undefined;
  try {
    return SampleRecorder.start({
      binary,
      intervalMs: timing.intervalMs,
      // Four harvests: a late harvest loses nothing.
      slots: 4 * Math.ceil(harvestSpanMs(timing) / timing.intervalMs),
      files: traced.files,
      nvmlPower: traced.nvmlPower,
      onExit,
    });
  } catch {
    return undefined;
  }
}

/**
 * Parses the samples `recorder` took since the last take with `set`'s readers, in order, and
 * hands each to `add`. A sample dated no later than `lastReadMs` (taken while the sampler read
 * live) is dropped. Returns the date of the last read, recorded or not.
 */
export function replayRecordedSamples(
  recorder: SampleRecorder,
  set: ReaderSet,
  lastReadMs: number,
  add: (snapshot: Snapshot) => void,
): number {
  let last = lastReadMs;
  const samples = recorder.take();
  for (let i = 0; i < samples.length; i += 1) {
    const sample = samples[i] as RecordedSample;
    const tMs = Math.round(sample.tMs);
    if (tMs <= last) continue;
    add(replayRecorded(sample, () => set.read(tMs, "sample")));
    last = tMs;
  }
  return last;
}
