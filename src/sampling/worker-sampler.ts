// The main-thread side of the sampler worker (see worker-protocol.ts).
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import type { MessagePort, Worker } from "node:worker_threads";
import { HardwareReadError } from "../errors/index.js";
import type { ReaderNotice } from "../hardware/types.js";
import type { SamplerDescription, Snapshot } from "./reader-set.js";
import type { Sampler, SampleListener, SamplerConfig } from "./sampler.js";
import {
  CONTROL,
  DATA_BYTES,
  REQUEST_KINDS,
  type RequestKind,
  type WorkerInit,
  type WorkerResponse,
  type WorkerSampleMessage,
} from "./worker-protocol.js";
import { watchWorkerAtExit, type WorkerWatch } from "./stuck-worker-exit.js";

type WorkerThreads = typeof import("node:worker_threads");

/** node:worker_threads, loaded by the first worker sampler: a CLI run sampling in its own thread never pays for it. */
function workerThreads(): WorkerThreads {
  return createRequire(import.meta.url)("node:worker_threads") as WorkerThreads;
}

/**
 * The sampler thread's heap limit (MB): far above what it holds (readers, a second of samples),
 * and set at all because a worker whose limit comes from the machine's memory starts 0.7 MB larger.
 */
const SAMPLER_OLD_GENERATION_MB = 256;

/** How long the worker has to start, detect the hardware and answer, from the first request (ms). */
const FIRST_ANSWER_TIMEOUT_MS = 20_000;
/** How long a boundary read waits for the worker (ms). */
const ANSWER_TIMEOUT_MS = 5_000;
/** Once the worker has missed a deadline (a hung device read), later boundaries wait only this long (ms). */
const DEGRADED_TIMEOUT_MS = 250;

/**
 * The worker's script: the bundled one (dist/bundle, one file to load with its code cache, through
 * sampler-launcher.cjs: the fastest start) where it was built, else tsc's. Run from TypeScript
 * sources (tests through tsx), a worker cannot load while the main thread blocks on Atomics.wait
 * (the loader hooks need the main thread), so a compiled worker from dist/ is used; `npm test`
 * builds it first.
 */
function workerScript(): URL {
  const here = import.meta.url;
  const candidates = here.endsWith(".ts")
    ? ["../../dist/bundle/sampler-launcher.cjs", "../../dist/src/threads/sampler-thread.js"]
    : ["../../bundle/sampler-launcher.cjs", "./sampler-launcher.cjs", "../threads/sampler-thread.js"];
  const urls = candidates.map((path) => new URL(path, here));
  const found = urls.find((url) => existsSync(url));
  if (!found) {
    throw new HardwareReadError(
      "sampler",
      `compiled sampler worker missing at ${(urls.at(-1) as URL).pathname}: run 'npm run build' first.`,
    );
  }
  return found;
}

/** Samples in a worker thread; boundary reads block on shared memory until answered. */
export class WorkerSampler implements Sampler {
  private readonly worker: Worker;
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL.size * 4));
  private readonly data = new Uint8Array(new SharedArrayBuffer(DATA_BYTES));
  private readonly decoder = new TextDecoder();
  private seq = 0;
  private info: SamplerDescription | undefined;
  private first: Snapshot | undefined;
  private pendingNotices: ReaderNotice[] = [];
  private lastSnapshot: Snapshot | undefined;
  private dead: string | undefined;
  private closed = false;
  private missedDeadline = false;
  /** When the first answer is due: counted from the first request, whichever request waits for it. */
  private firstAnswerDeadline: number | undefined;
  private readonly listeners: SampleListener[] = [];
  private readonly samples: MessagePort;
  private readonly threads = workerThreads();
  private readonly watch: WorkerWatch;

  /**
   * @param onDetected called (on this thread's event loop) once the worker's detection is done;
   *   `detected` says the same at any time without waiting.
   */
  constructor(
    config: SamplerConfig,
    onSample: SampleListener,
    private readonly onDetected?: () => void,
  ) {
    this.listeners.push(onSample);
    const { MessageChannel, Worker } = this.threads;
    // Samples travel on their own port so a boundary read can take every queued one
    // synchronously (receiveMessageOnPort), in order, before the epoch is recorded.
    const { port1, port2 } = new MessageChannel();
    this.samples = port1;
    const init: WorkerInit = {
      config,
      control: this.control.buffer as SharedArrayBuffer,
      data: this.data.buffer as SharedArrayBuffer,
      samples: port2,
    };
    this.worker = new Worker(workerScript(), {
      workerData: init,
      transferList: [port2],
      resourceLimits: { maxOldGenerationSizeMb: SAMPLER_OLD_GENERATION_MB },
    });
    this.worker.unref();
    this.watch = watchWorkerAtExit(this.control);
    this.worker.once("exit", () => this.watch.ended());
    this.samples.on("message", (message: WorkerSampleMessage) => {
      if (message.type === "ready") this.onDetected?.();
      else for (const snapshot of message.snapshots) this.deliver(snapshot);
    });
    this.samples.unref();
    this.worker.on("error", (error) => {
      this.dead = `sampler worker failed: ${error.message}`;
    });
  }

  /** Whether the worker has detected its hardware (or failed to), so a request is answered at once. */
  get detected(): boolean {
    return Atomics.load(this.control, CONTROL.ready) === 1;
  }

  private send(kind: RequestKind): { seq: number; deadline: number } {
    if (this.dead) throw new HardwareReadError("sampler", this.dead);
    const seq = ++this.seq;
    Atomics.store(this.control, CONTROL.requestKind, REQUEST_KINDS.indexOf(kind));
    Atomics.store(this.control, CONTROL.requestSeq, seq);
    // A worker asleep on the request slot wakes by this; one on its event loop needs a message.
    Atomics.notify(this.control, CONTROL.requestSeq);
    if (Atomics.load(this.control, CONTROL.blocking) === 0) this.worker.postMessage(seq);
    if (!this.info) {
      this.firstAnswerDeadline ??= Date.now() + FIRST_ANSWER_TIMEOUT_MS;
      return { seq, deadline: this.firstAnswerDeadline };
    }
    return { seq, deadline: Date.now() + (this.missedDeadline ? DEGRADED_TIMEOUT_MS : ANSWER_TIMEOUT_MS) };
  }

  /** Throws when the answer to `kind` is overdue or the worker died; else how long is left (ms). */
  private timeLeft(kind: string, deadline: number): number {
    const left = deadline - Date.now();
    if (left <= 0 || this.dead) {
      if (left <= 0) this.missedDeadline = true;
      throw new HardwareReadError(
        "sampler",
        this.dead ?? `sampler worker did not answer a ${kind} request in time`,
      );
    }
    return left;
  }

  private request(kind: RequestKind): WorkerResponse {
    const { seq, deadline } = this.send(kind);
    while (Atomics.load(this.control, CONTROL.responseSeq) !== seq) {
      const left = this.timeLeft(kind, deadline);
      const current = Atomics.load(this.control, CONTROL.responseSeq);
      if (current !== seq) Atomics.wait(this.control, CONTROL.responseSeq, current, Math.min(left, 100));
    }
    return this.collect();
  }

  /**
   * Waits, without blocking the event loop, until the worker has detected the hardware; later
   * calls answer at once. Rejects with HardwareReadError when the worker fails or times out.
   */
  async ready(): Promise<void> {
    if (this.info) return;
    const { seq, deadline } = this.send("describe");
    // A pending waitAsync does not keep the event loop alive: the worker does, while awaited.
    this.worker.ref();
    try {
      // A synchronous request made meanwhile (description()) takes the slot, and the answer.
      while (!this.info && Atomics.load(this.control, CONTROL.responseSeq) !== seq) {
        if (this.closed) throw new HardwareReadError("sampler", "sampler closed before its worker was ready");
        const left = this.timeLeft("describe", deadline);
        const current = Atomics.load(this.control, CONTROL.responseSeq);
        if (current !== seq)
          await Atomics.waitAsync(this.control, CONTROL.responseSeq, current, Math.min(left, 100)).value;
      }
    } finally {
      this.worker.unref();
    }
    if (!this.info) this.described(this.collect());
  }

  private described(response: WorkerResponse): void {
    this.info = response.description;
    this.first = response.first;
  }

  /** Takes the answer in shared memory (and every sample queued before it). */
  private collect(): WorkerResponse {
    this.missedDeadline = false;
    this.drainSamples();
    const length = Atomics.load(this.control, CONTROL.length);
    const response = JSON.parse(this.decoder.decode(this.data.slice(0, length))) as WorkerResponse;
    if (response.error) throw new HardwareReadError("sampler", response.error);
    this.pendingNotices.push(...response.notices);
    if (response.snapshot) this.lastSnapshot = response.snapshot;
    return response;
  }

  private deliver(snapshot: Snapshot): void {
    if (this.closed) return;
    for (const listener of this.listeners) listener(snapshot);
  }

  addListener(listener: SampleListener): void {
    this.listeners.push(listener);
  }

  /** Delivers every sample the worker has queued, synchronously. */
  private drainSamples(): void {
    for (
      let message = this.threads.receiveMessageOnPort(this.samples);
      message;
      message = this.threads.receiveMessageOnPort(this.samples)
    ) {
      const samples = message.message as WorkerSampleMessage;
      if (samples.type === "samples") for (const snapshot of samples.snapshots) this.deliver(snapshot);
    }
  }

  description(): SamplerDescription {
    if (!this.info) this.described(this.request("describe"));
    if (!this.info) throw new HardwareReadError("sampler", "sampler worker gave no description");
    return this.info;
  }

  readNow(): Snapshot {
    this.description();
    const snapshot = this.request("read").snapshot;
    if (!snapshot) throw new HardwareReadError("sampler", "sampler worker gave no reading");
    return snapshot;
  }

  drainNotices(): ReaderNotice[] {
    const drained = this.pendingNotices;
    this.pendingNotices = [];
    return drained;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (!this.dead && this.info) this.request("close");
    } catch {
      // The worker is going away either way.
    }
    // A thread stuck in a driver call never ends; the process's exit then goes past it. Node refs
    // a worker it is told to terminate, which would keep the event loop alive until then.
    this.watch.stopAsked();
    void this.worker.terminate();
    this.worker.unref();
  }

  /** The worker's first reading after its detection (known once described), if it took one. */
  get firstReading(): Snapshot | undefined {
    return this.first;
  }

  /** The last snapshot the worker answered with, if any. */
  get last(): Snapshot | undefined {
    return this.lastSnapshot;
  }
}
