// The sampler thread's entry point, a composition root like cli/: it knows the concrete
// backends, detects the hardware in its own thread, samples on a timer, and answers the main
// thread's synchronous requests through shared memory (sampling/worker-protocol.ts).
import { parentPort, workerData } from "node:worker_threads";
import { detectReaders } from "../hardware/detect.js";
import { BACKENDS } from "../hardware/registry.js";
import { ReaderSet, type Snapshot } from "../sampling/reader-set.js";
import { SAMPLE_BATCH_MS } from "../sampling/sampler.js";
import {
  CONTROL,
  type WorkerInit,
  type WorkerRequest,
  type WorkerResponse,
  type WorkerSampleMessage,
} from "../sampling/worker-protocol.js";

const init = workerData as WorkerInit;
const control = new Int32Array(init.control);
const data = new Uint8Array(init.data);
const encoder = new TextEncoder();

let timer: NodeJS.Timeout | undefined;
const batchMs = init.config.sampleBatchMs ?? SAMPLE_BATCH_MS;
let pending: Snapshot[] = [];

/** Posts the samples taken since the last post (before any answer, so they arrive in order). */
function postSamples(): void {
  if (pending.length === 0) return;
  const message: WorkerSampleMessage = { type: "samples", snapshots: pending };
  pending = [];
  init.samples.postMessage(message);
}

const ready: Promise<ReaderSet | Error> = detectReaders(
  init.config.components,
  init.config.context,
  BACKENDS,
).then(
  (detection) => {
    const set = new ReaderSet(detection.readers, detection.skipped, detection.notices);
    const { readIntervalMs } = set.describe(init.config.updateIntervalMs);
    set.readNow();
    timer = setInterval(() => {
      const snapshot = set.readNow();
      pending.push(snapshot);
      if (snapshot.tMs - (pending[0] as Snapshot).tMs >= batchMs) postSamples();
    }, readIntervalMs);
    return set;
  },
  (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
);
// Says when detection is done, for a thread that samples on its own until then (HandoffSampler).
void ready.then(() => {
  Atomics.store(control, CONTROL.ready, 1);
  const message: WorkerSampleMessage = { type: "ready" };
  init.samples.postMessage(message);
});

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

parentPort?.on("message", (request: WorkerRequest) => {
  void ready.then((set) => {
    if (set instanceof Error) {
      answer(request.seq, { notices: [], error: set.message });
      return;
    }
    postSamples();
    try {
      if (request.kind === "describe") {
        answer(request.seq, {
          description: set.describe(init.config.updateIntervalMs),
          snapshot: set.readNow(),
          notices: set.drainNotices(),
        });
      } else if (request.kind === "read") {
        answer(request.seq, { snapshot: set.readNow(), notices: set.drainNotices() });
      } else {
        if (timer) clearInterval(timer);
        const snapshot = set.readNow();
        set.close();
        answer(request.seq, { snapshot, notices: set.drainNotices() });
        init.samples.close();
        parentPort?.close();
      }
    } catch (error) {
      answer(request.seq, { notices: [], error: error instanceof Error ? error.message : String(error) });
    }
  });
});
