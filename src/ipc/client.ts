// The calls a wrapped JS/TS program makes to mark epochs for the carbontracker CLI. Under the CLI
// (CARBONTRACKER_IPC set) each call blocks until the CLI has handled it; anywhere else they do
// nothing, so a script runs the same with and without carbontracker.
import { IPC_ENV, type IpcEvent, type IpcReply } from "./protocol.js";
import { SyncChannel } from "./sync-channel.js";

let channel: SyncChannel | undefined;
let channelPid: number | undefined;
let warned = false;

function send(event: IpcEvent): IpcReply | undefined {
  const path = process.env[IPC_ENV];
  if (!path || warned) return undefined;
  try {
    if (!channel || channelPid !== process.pid) {
      channel = new SyncChannel(path);
      channelPid = process.pid;
    }
    return JSON.parse(channel.request(JSON.stringify({ event }))) as IpcReply;
  } catch (error) {
    warned = true;
    process.stderr.write(
      `carbontracker/ipc: cannot reach the carbontracker CLI at ${path} (${(error as Error).message}); epochs are no longer marked.\n`,
    );
    return undefined;
  }
}

/**
 * Marks the start of an epoch. Blocks until the CLI has read the energy counters.
 * @returns the CLI's reply, or undefined when not run under the carbontracker CLI.
 */
export function epochStart(): IpcReply | undefined {
  return send("epoch_start");
}

/**
 * Marks the end of an epoch. Blocks until the CLI has accounted it (and, with
 * --stop-and-confirm, until the user answered); the program may exit right after.
 * @returns the CLI's reply (`stop: true` when the user chose to stop), or undefined when not
 *   run under the carbontracker CLI.
 */
export function epochEnd(): IpcReply | undefined {
  return send("epoch_end");
}

/**
 * Runs `fn` as one epoch: epochStart() before, epochEnd() after it returns (or after its promise
 * resolves). An epoch that throws is not ended: the CLI records it as cut short.
 */
export function epoch<T>(fn: () => T): T {
  epochStart();
  const result = fn();
  if (result instanceof Promise) {
    return result.then((value: unknown) => {
      epochEnd();
      return value;
    }) as T;
  }
  epochEnd();
  return result;
}
