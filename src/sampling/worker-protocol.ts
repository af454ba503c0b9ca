// The shared-memory protocol between the tracker and its sampler worker: the main thread writes a
// request into shared memory and blocks on Atomics.wait until the worker has written the answer,
// so an epoch boundary is read at the boundary even while the main thread's event loop is busy.
// The worker sleeps in Atomics.wait on the request slot between samples (woken by the request
// or by its next sample's time); a worker whose readers need its event loop (powermetrics)
// samples on a timer instead and is woken by a message.
import type { MessagePort } from "node:worker_threads";
import type { ReaderNotice } from "../hardware/types.js";
import type { SamplerConfig } from "./sampler.js";
import type { SamplerDescription, Snapshot } from "./reader-set.js";

/**
 * Indexes in the control Int32Array. `requestKind` (an index in REQUEST_KINDS) is written before
 * `requestSeq`; `ready` turns 1 once the worker's detection is done (or failed); `blocking` turns 1
 * once the worker waits on `requestSeq` itself, so requests need no message to wake it; `busy` is
 * 1 while the worker is inside a reader call (detection, a reading, closing the readers), which
 * is where a driver can hold it for good (see stuck-worker-exit.ts); `thread` is the worker's
 * kernel thread id where /proc tells it (Linux), else 0.
 */
export const CONTROL = {
  requestSeq: 0,
  responseSeq: 1,
  length: 2,
  ready: 3,
  requestKind: 4,
  blocking: 5,
  busy: 6,
  thread: 7,
  size: 8,
} as const;

/** What the main thread can ask; `requestKind` holds the index. */
export const REQUEST_KINDS = ["describe", "read", "close"] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

/** Bytes for one answer (JSON); a run with hundreds of devices fits. */
export const DATA_BYTES = 1 << 20;

/** Sent once to the worker. */
export interface WorkerInit {
  config: SamplerConfig;
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
  /** Port the worker posts background samples on. */
  samples: MessagePort;
}

/** The worker's answer, written as JSON into the data buffer. */
export interface WorkerResponse {
  description?: SamplerDescription;
  /**
   * With a description: the worker's first reading after its detection (where its devices'
   * figures start), so a device that joins late is counted from its first reading on.
   */
  first?: Snapshot;
  snapshot?: Snapshot;
  notices: ReaderNotice[];
  error?: string;
}

/** Background samples posted to the main thread, oldest first; `ready` once detection is done. */
export type WorkerSampleMessage = { type: "samples"; snapshots: Snapshot[] } | { type: "ready" };
