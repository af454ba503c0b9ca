// A blocking request/reply over a Unix domain socket, for callers that cannot await: a helper
// thread owns the socket and the calling thread sleeps on Atomics.wait until the reply is in.
// So epochEnd() returns only once the CLI has the mark, and a program may exit right after it.
import { Worker } from "node:worker_threads";

/** Bytes kept for one reply line. */
const REPLY_BYTES = 4096;
const DECODER = new TextDecoder();

/** Slot states in the shared header. */
const IDLE = 0;
const REPLIED = 1;
const BROKEN = 2;

// Runs in the helper thread (CommonJS, eval'd): connects, writes each line it is given and puts
// each reply line into the shared buffer. Any failure marks the channel broken and wakes the caller.
const HELPER = `
const { workerData, parentPort } = require("node:worker_threads");
const net = require("node:net");
const state = new Int32Array(workerData.shared, 0, 2);
const bytes = new Uint8Array(workerData.shared, 8);
let gone = false;
const broken = (why) => {
  if (gone) return;
  gone = true;
  const text = Buffer.from(String(why)).subarray(0, bytes.length);
  bytes.set(text);
  Atomics.store(state, 1, text.length);
  Atomics.store(state, 0, ${BROKEN});
  Atomics.notify(state, 0);
  parentPort.close();
};
process.on("uncaughtException", (error) => broken(error && error.message));
const socket = net.createConnection(workerData.path);
let buffered = "";
socket.setEncoding("utf8");
socket.on("data", (chunk) => {
  buffered += chunk;
  let end;
  while ((end = buffered.indexOf("\\n")) >= 0) {
    const line = Buffer.from(buffered.slice(0, end)).subarray(0, bytes.length);
    buffered = buffered.slice(end + 1);
    bytes.set(line);
    Atomics.store(state, 1, line.length);
    Atomics.store(state, 0, ${REPLIED});
    Atomics.notify(state, 0);
  }
});
socket.on("error", (error) => broken(error.code || error.message));
socket.on("close", () => broken("the carbontracker CLI closed the connection"));
parentPort.on("message", (line) => socket.write(line + "\\n"));
`;

/** A connection that sends one line and blocks until the reply line comes back. */
export class SyncChannel {
  private readonly worker: Worker;
  private readonly state: Int32Array;
  private readonly bytes: Uint8Array;
  private brokenReason: string | undefined;

  /** Connects (in the background) to the socket at `path`. */
  constructor(path: string) {
    const shared = new SharedArrayBuffer(8 + REPLY_BYTES);
    this.state = new Int32Array(shared, 0, 2);
    this.bytes = new Uint8Array(shared, 8);
    this.worker = new Worker(HELPER, { eval: true, workerData: { path, shared } });
    this.worker.unref();
  }

  /**
   * Sends `line` and waits for the reply line (no time limit: the CLI may be waiting for the
   * user's answer). Throws an Error with the reason when the connection is gone.
   */
  request(line: string): string {
    if (this.brokenReason !== undefined) throw new Error(this.brokenReason);
    // Back to idle unless the helper already found the connection broken.
    if (Atomics.compareExchange(this.state, 0, REPLIED, IDLE) !== BROKEN) {
      this.worker.postMessage(line);
      Atomics.wait(this.state, 0, IDLE);
    }
    const length = Atomics.load(this.state, 1);
    const text = DECODER.decode(this.bytes.slice(0, length));
    if (Atomics.load(this.state, 0) === BROKEN) {
      this.brokenReason = text;
      void this.worker.terminate();
      throw new Error(text);
    }
    return text;
  }
}
