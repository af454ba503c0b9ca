// The wire format between a wrapped program and the CLI: newline-delimited JSON over the Unix
// domain socket named in CARBONTRACKER_IPC. One reply line per message, sent once it is handled,
// so a client that waits for it knows the CLI has the mark before it goes on (or exits).

/** Environment variable holding the socket path; set by the CLI for its child only. */
export const IPC_ENV = "CARBONTRACKER_IPC";

/** What a wrapped program can mark. */
export type IpcEvent = "epoch_start" | "epoch_end";

/** A message from the wrapped program: one JSON object a line. */
export interface IpcMessage {
  event: IpcEvent;
}

/** The CLI's answer to one message: one JSON object a line. */
export interface IpcReply {
  ok: boolean;
  /** Epochs finished so far (after this message). */
  epochs?: number;
  /** The user asked to stop (stop-and-confirm): the CLI ends the program next. */
  stop?: boolean;
  /** Why the message was refused. */
  error?: string;
}

/** Parses one line from a client; undefined when it is not a message we know. */
export function parseMessage(line: string): IpcMessage | undefined {
  try {
    const value = JSON.parse(line) as { event?: unknown };
    if (value && (value.event === "epoch_start" || value.event === "epoch_end"))
      return { event: value.event };
  } catch {
    // Not JSON: refused below.
  }
  return undefined;
}
