// The sampler thread's entry point, a composition root like cli/: it knows the concrete
// backends, detects the hardware in its own thread, samples on a timer, and answers the main
// thread's synchronous requests through shared memory (sampling/worker-protocol.ts).
import { parentPort, workerData } from "node:worker_threads";
import { detectReaders } from "../hardware/detect.js";
import { BACKENDS } from "../hardware/registry.js";
import { ReaderSet } from "../sampling/reader-set.js";
import {
  CONTROL,
  type WorkerInit,
  type WorkerRequest,
  type WorkerResponse,
} from "../sampling/worker-protocol.js";

const init = workerData as WorkerInit;
const control = new Int32Array(init.control);
const data = new Uint8Array(init.data);
const encoder = new TextEncoder();

let timer: NodeJS.Timeout | undefined;
const ready: Promise<ReaderSet | Error> = detectReaders(
  init.config.components,
  init.config.context,
  BACKENDS,
).then(
  (detection) => {
    const set = new ReaderSet(detection.readers, detection.skipped, detection.notices);
    const { readIntervalMs } = set.describe(init.config.updateIntervalMs);
    set.read(Date.now());
    timer = setInterval(() => {
      init.samples.postMessage({ type: "sample", snapshot: set.read(Date.now()) });
    }, readIntervalMs);
    return set;
  },
  (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
);

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
    try {
      if (request.kind === "describe") {
        answer(request.seq, {
          description: set.describe(init.config.updateIntervalMs),
          snapshot: set.read(Date.now()),
          notices: set.drainNotices(),
        });
      } else if (request.kind === "read") {
        answer(request.seq, { snapshot: set.read(Date.now()), notices: set.drainNotices() });
      } else {
        if (timer) clearInterval(timer);
        const snapshot = set.read(Date.now());
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
