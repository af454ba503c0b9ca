// The sampler thread's entry point, a composition root like cli/: it knows the concrete
// backends, detects the hardware in its own thread, samples, and answers the main thread's
// synchronous requests through shared memory (sampling/worker-protocol.ts).
//
// Between samples it sleeps in Atomics.wait on the request slot: one wake-up a sample and
// nothing else (no timer list, no message dispatch, no microtask turn), less than half of
// what a setInterval tick costs. Only readers that need the event loop (powermetrics) keep the
// timer, with each request announced by a message.
//
// Given a sample recorder (SamplerConfig.sampleRecorder: the CLI's), the sample that closes its
// first batch hands what it read (files, NVML's power calls) to the recorder, and from then on it
// wakes once a minute (harvestSpanMs) on its event loop (requests announced by messages): it
// parses the recorded samples with its own readers, reads once live (where NVML's dear counter is
// read when due), and posts them. If the recorder ends, it samples on its own again.
import { readlinkSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { detectReaders } from "../hardware/detect.js";
import { traceRecordableReads } from "../hardware/recorded-reads.js";
import { BACKENDS } from "../hardware/registry.js";
import { ReaderSet, type Snapshot } from "../sampling/reader-set.js";
import { nextSampleDue, waitForSample } from "../sampling/sample-schedule.js";
import type { SampleBatch } from "../sampling/sample-batch.js";
import { sampleBatchFor } from "../sampling/sampler.js";
import type { SampleRecorder } from "../sampling/sample-recorder.js";
import {
  harvestSpanMs,
  recorderStartMs,
  replayRecordedSamples,
  startRecorderFor,
} from "../sampling/recorder-replay.js";
import {
  CONTROL,
  REQUEST_KINDS,
  type WorkerInit,
  type WorkerResponse,
  type WorkerSampleMessage,
} from "../sampling/worker-protocol.js";

const init = workerData as WorkerInit;
const control = new Int32Array(init.control);
const data = new Uint8Array(init.data);
const encoder = new TextEncoder();

/** Samples not yet posted to the main thread (made once the interval is known). */
let batch: SampleBatch | undefined;
/** The last request answered (requests are numbered from 1). */
let served = 0;
let closed = false;
let timer: NodeJS.Timeout | undefined;
/** The first reading after detection (told with the description). */
let firstReading: Snapshot | undefined;
/** The recorder whose samples this thread parses, once the sample closing its first batch started one. */
let recorder: SampleRecorder | undefined;
/** The date of the last read, recorded or live: a recorded sample no later is dropped. */
let lastReadMs = 0;

/**
 * Runs a reader call with CONTROL.busy set: a call that never returns (a lost GPU's driver) leaves
 * it set, and the process's exit then knows not to wait for this thread (stuck-worker-exit.ts).
 */
function inReaderCall<T>(call: () => T): T {
  enterReaderCall();
  try {
    return call();
  } finally {
    leaveReaderCall();
  }
}

function enterReaderCall(): void {
  Atomics.store(control, CONTROL.busy, 1);
}

function leaveReaderCall(): void {
  Atomics.store(control, CONTROL.busy, 0);
  Atomics.notify(control, CONTROL.busy);
}

/** This thread's id in the kernel (Linux: /proc/thread-self is `<pid>/task/<tid>`), else 0. */
function kernelThreadId(): number {
  try {
    return Number(/\/task\/(\d+)$/.exec(readlinkSync("/proc/thread-self"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Posts the samples taken since the last post (before any answer, so they arrive in order). */
function postSamples(): void {
  const snapshots = batch?.take() ?? [];
  if (snapshots.length === 0) return;
  const message: WorkerSampleMessage = { type: "samples", snapshots };
  init.samples.postMessage(message);
}

/** Reads every device now (a driver call may hang: see inReaderCall). */
function readLive(set: ReaderSet, kind: "sample" | "boundary"): Snapshot {
  const snapshot = inReaderCall(() => set.readNow(Date.now, kind));
  lastReadMs = snapshot.tMs;
  return snapshot;
}

function sample(set: ReaderSet): void {
  if (batch?.add(readLive(set, "sample"))) postSamples();
}

/** Adds the samples the recorder took since the last harvest to the batch. */
function harvest(set: ReaderSet): void {
  if (recorder === undefined) return;
  const recording = recorder;
  lastReadMs = inReaderCall(() => replayRecordedSamples(recording, set, lastReadMs, (s) => batch?.add(s)));
}

function answer(seq: number, response: WorkerResponse): void {
  let bytes = encoder.encode(JSON.stringify(response));
  if (bytes.length > data.length) {
    bytes = encoder.encode(JSON.stringify({ notices: [], error: "sampler answer too large" }));
  }
  data.set(bytes);
  Atomics.store(control, CONTROL.length, bytes.length);
  Atomics.store(control, CONTROL.responseSeq, seq);
  Atomics.notify(control, CONTROL.responseSeq);
}

/** Answers the main thread's request if it is a new one. */
function serveRequest(set: ReaderSet | Error): void {
  const seq = Atomics.load(control, CONTROL.requestSeq);
  if (seq === served || closed) return;
  served = seq;
  if (set instanceof Error) {
    answer(seq, { notices: [], error: set.message });
    return;
  }
  harvest(set);
  postSamples();
  const kind = REQUEST_KINDS[Atomics.load(control, CONTROL.requestKind)];
  try {
    if (kind === "describe") {
      answer(seq, {
        description: set.describe(init.config.updateIntervalMs),
        first: firstReading,
        snapshot: readLive(set, "boundary"),
        notices: set.drainNotices(),
      });
    } else if (kind === "read") {
      answer(seq, { snapshot: readLive(set, "boundary"), notices: set.drainNotices() });
    } else {
      closed = true;
      if (timer) clearInterval(timer);
      recorder?.close();
      recorder = undefined;
      const snapshot = inReaderCall(() => {
        const last = set.readNow();
        set.close();
        return last;
      });
      answer(seq, { snapshot, notices: set.drainNotices() });
      init.samples.close();
      parentPort?.close();
    }
  } catch (error) {
    answer(seq, { notices: [], error: error instanceof Error ? error.message : String(error) });
  }
}

/**
 * Samples every `intervalMs` and answers requests as they come, until the sampler is closed, or
 * until the sample that closes the first batch has started `recorderBinary` (see startRecording).
 */
function sampleBlocking(set: ReaderSet, intervalMs: number, recorderBinary?: string): void {
  Atomics.store(control, CONTROL.blocking, 1);
  let binary = recorderBinary;
  const recorderFromMs = recorderStartMs(Date.now(), { intervalMs, batchSpanMs: batch?.spanMs ?? 0 });
  let dueMs = Date.now() + intervalMs;
  while (!closed) {
    const wait = waitForSample(dueMs, Date.now(), intervalMs);
    dueMs = wait.dueMs;
    if (wait.waitMs > 0) Atomics.wait(control, CONTROL.requestSeq, served, wait.waitMs);
    serveRequest(set);
    if (closed) return;
    const nowMs = Date.now();
    if (nowMs >= dueMs) {
      if (binary !== undefined && nowMs >= recorderFromMs) {
        if (startRecording(set, intervalMs, binary)) return;
        binary = undefined;
      } else {
        sample(set);
      }
      dueMs = nextSampleDue(dueMs, nowMs, intervalMs);
    }
  }
}

/**
 * Takes a sample, tracing what it read, and starts a recorder for it. Started, this thread leaves
 * its blocking loop for its event loop, waking once a minute (onHarvestDue) or for a request
 * (announced by a message once CONTROL.blocking is 0). False: it samples on its own.
 */
function startRecording(set: ReaderSet, intervalMs: number, binary: string): boolean {
  const traced = traceRecordableReads(() => readLive(set, "sample"));
  const timing = {
    intervalMs,
    batchSpanMs: batch?.spanMs ?? intervalMs,
    harvestMs: init.config.recordedHarvestMs,
  };
  recorder = startRecorderFor(binary, traced, timing, () => recorderEnded(set, intervalMs));
  if (batch?.add(traced.result)) postSamples();
  if (recorder === undefined) return false;
  timer = setInterval(() => onHarvestDue(set), harvestSpanMs(timing));
  Atomics.store(control, CONTROL.blocking, 0);
  // A request made before the line above was announced by no message: served now.
  serveRequest(set);
  return true;
}

/** The recorded samples, then one live (NVML's counter anchors: see nvml-reader.ts), posted together. */
function onHarvestDue(set: ReaderSet): void {
  if (closed) return;
  harvest(set);
  batch?.add(readLive(set, "sample"));
  postSamples();
}

/** The recorder ended (killed, failed): its last samples are kept, and this thread samples on its own again. */
function recorderEnded(set: ReaderSet, intervalMs: number): void {
  if (closed || recorder === undefined) return;
  harvest(set);
  postSamples();
  recorder.close();
  recorder = undefined;
  if (timer) clearInterval(timer);
  timer = undefined;
  sampleBlocking(set, intervalMs);
}

// Detection opens the drivers (nvmlInit can hang too): busy until it is done.
Atomics.store(control, CONTROL.thread, kernelThreadId());
enterReaderCall();
const ready: Promise<ReaderSet | Error> = detectReaders(init.config.components, init.config.context, BACKENDS)
  .then(
    (detection) => new ReaderSet(detection.readers, detection.skipped, detection.notices),
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  )
  .finally(leaveReaderCall);

// Requests that came before detection ended (each announced by a message) wait for it.
parentPort?.on("message", () => {
  void ready.then(serveRequest);
});

void ready.then((set) => {
  // Says when detection is done, for a thread that samples on its own until then (HandoffSampler).
  Atomics.store(control, CONTROL.ready, 1);
  const message: WorkerSampleMessage = { type: "ready" };
  init.samples.postMessage(message);
  if (set instanceof Error) return;
  const { readIntervalMs } = set.describe(init.config.updateIntervalMs);
  batch = sampleBatchFor(init.config, readIntervalMs);
  // A first read warms the readers' code; kept out of the batch, so a sample (no dear counter call).
  firstReading = readLive(set, "sample");
  if (set.readers.some((reader) => reader.needsEventLoop)) {
    timer = setInterval(() => sample(set), readIntervalMs);
    serveRequest(set);
    return;
  }
  const recorderBinary = batch.spanMs >= 2 * readIntervalMs ? init.config.sampleRecorder : undefined;
  sampleBlocking(set, readIntervalMs, recorderBinary);
});
