// The shared-memory protocol between the tracker and its sampler worker: the main thread posts a
// request and blocks on Atomics.wait until the worker has written the answer, so an epoch
// boundary is read at the boundary even while the main thread's event loop is busy.
import type { MessagePort } from "node:worker_threads";
import type { ReaderNotice } from "../hardware/types.js";
import type { SamplerConfig } from "./sampler.js";
import type { SamplerDescription, Snapshot } from "./reader-set.js";

/** Indexes in the control Int32Array; `ready` turns 1 once the worker's detection is done (or failed). */
export const CONTROL = { requestSeq: 0, responseSeq: 1, length: 2, ready: 3, size: 4 } as const;

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

/** A request from the main thread. */
export interface WorkerRequest {
  kind: "describe" | "read" | "close";
  seq: number;
}

/** The worker's answer, written as JSON into the data buffer. */
export interface WorkerResponse {
  description?: SamplerDescription;
  snapshot?: Snapshot;
  notices: ReaderNotice[];
  error?: string;
}

/** Background samples posted to the main thread, oldest first; `ready` once detection is done. */
export type WorkerSampleMessage = { type: "samples"; snapshots: Snapshot[] } | { type: "ready" };
