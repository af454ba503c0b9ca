// The wire format between a tracked program and its tracker: newline-delimited JSON, one reply
// line per message, sent once it is handled, so a client that waits for it knows the tracker has
// the mark before it goes on (or exits). Spoken on the Unix domain socket named in CARBONTRACKER_IPC
// (a program wrapped by the CLI) and on the stdin/stdout pipes of `carbontracker engine` (the
// Python bindings' own tracker).

/** Environment variable holding the socket path; set by the CLI for its child only. */
export const IPC_ENV = "CARBONTRACKER_IPC";

/**
 * What a program can send. `configure` carries the options of its `CarbonTracker(...)` call
 * (the tracker's camelCase option names); `answer` is the reply to "Continue training (y/n)?".
 */
export type IpcEvent = (typeof EVENTS)[number];
const EVENTS = ["epoch_start", "epoch_end", "configure", "stop", "answer"] as const;

/** A message from the program: one JSON object a line. */
export interface IpcMessage {
  event: IpcEvent;
  /**
   * With `configure`: the tracker options (API keys travel only here, never in argv or env), in
   * the original's values: `epochsBeforePred: 0` also titles the actual "Actual consumption:",
   * -1 never predicts, `logFilePrefix: null` names the log files `None<pid>...`
   * (cli/original-style.ts).
   */
  options?: Record<string, unknown>;
  /** With `answer`: the line the user typed, null at end of input. */
  answer?: string | null;
}

/** The tracker's answer to one message: one JSON object a line. */
export interface IpcReply {
  ok: boolean;
  /** Epochs finished so far (after this message). */
  epochs?: number;
  /** The user asked to stop (stop-and-confirm): the program ends next. */
  stop?: boolean;
  /** Why the message was refused. */
  error?: string;
  /** The option a refused `configure` is about (the tracker's camelCase name). */
  option?: string;
  /** Console text the tracker wrote since the previous reply (engine only: the client prints it). */
  text?: string;
  /** The tracker waits for an `answer` message (the text ends with the question). */
  ask?: boolean;
  /** Monitoring is over: later marks do nothing. */
  finished?: boolean;
  /** Lines the program's user should read (options overridden, ignored). */
  notes?: string[];
}

/** The reply to a line that is not a message (its start quoted, to say what came). */
export function notAMessage(line: string): IpcReply {
  return { ok: false, error: `not a message: ${line.slice(0, 200)}` };
}

/** The reply to a message whose handling threw. */
export function errorReply(error: unknown): IpcReply {
  return { ok: false, error: error instanceof Error ? error.message : String(error) };
}

/** Parses one line from a client; undefined when it is not a message we know. */
export function parseMessage(line: string): IpcMessage | undefined {
  let value: { event?: unknown; options?: unknown; answer?: unknown };
  try {
    value = JSON.parse(line) as typeof value;
  } catch {
    return undefined;
  }
  if (!value || typeof value !== "object" || !(EVENTS as readonly unknown[]).includes(value.event))
    return undefined;
  const event = value.event as IpcEvent;
  if (event === "configure") {
    const options = value.options;
    if (!options || typeof options !== "object" || Array.isArray(options)) return undefined;
    return { event, options: options as Record<string, unknown> };
  }
  if (event === "answer") {
    const answer = value.answer;
    if (answer !== null && typeof answer !== "string") return undefined;
    return { event, answer };
  }
  return { event };
}

/**
 * Cuts a stream's text into trimmed, non-empty lines for `onLine`. The returned handler takes
 * each chunk and returns the length of the line not yet ended (to refuse endless input).
 */
export function splitLines(onLine: (line: string) => void): (chunk: string) => number {
  let buffered = "";
  return (chunk) => {
    buffered += chunk;
    let end: number;
    while ((end = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, end).trim();
      buffered = buffered.slice(end + 1);
      if (line !== "") onLine(line);
    }
    return buffered.length;
  };
}
