// One tracker driven by the Python bindings over this process's stdin and stdout (the IPC
// protocol's messages, one JSON line each way). The first message, `configure`, starts the
// tracker with the script's options (API keys travel only in it); every reply carries the console
// text written since the previous one, which the Python side prints on its own sys.stdout, so
// blocks land in order with the program's prints (in Jupyter too). The tracker is wired as the
// CLI's (election, sampler in this thread), measuring the Python process (our parent).
//
// The run is closed, with every finished epoch in its logs, when the program says stop(), when
// stdin ends (the program exited without stop(), or was killed: the kernel closes its end of
// the pipe at once), on SIGTERM/SIGINT/SIGHUP, or when a sampler tick finds our parent gone.
import { InvalidOptionError } from "../errors/index.js";
import {
  errorReply,
  notAMessage,
  parseMessage,
  splitLines,
  type IpcMessage,
  type IpcReply,
} from "../ipc/protocol.js";
import { programOptions } from "./original-style.js";
import { TrackerSlot, type SlotTrackerOptions } from "./tracker-slot.js";
import { releaseMappedFilePagesLater } from "./release-mapped-pages.js";

/** Where the session writes its replies (stdout) and its own problems (stderr). */
export interface EngineSessionIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Said when set_api_keys() comes after the first epoch (the intensity source is chosen by then). */
const KEYS_TOO_LATE =
  "CarbonTracker: WARNING - set_api_keys() was called after the first epoch_start(): the keys apply to the next CarbonTracker; this run keeps its intensity source. Pass api_keys=... to CarbonTracker(...) instead.\n";

/** The state of one engine session. */
class EngineSession {
  private slot: TrackerSlot | undefined;
  private text = "";
  private started = false;
  private closing: Promise<void> | undefined;
  private answer: ((line: string | undefined) => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly parentPid = process.ppid;
  private userStopped = false;

  constructor(
    private readonly io: EngineSessionIo,
    private readonly done: () => void,
  ) {}

  /** Takes one input line; replies are written in the order the messages came. */
  receive(line: string): void {
    const message = parseMessage(line);
    if (message?.event === "answer" && this.answer) {
      const give = this.answer;
      this.answer = undefined;
      give(message.answer ?? undefined);
      return;
    }
    this.queue = this.queue
      .then(() => (message ? this.handle(message) : notAMessage(line)))
      .catch(errorReply)
      .then((reply) => {
        this.reply(reply);
        if (message?.event === "stop") void this.close("stopped");
      });
  }

  private reply(reply: IpcReply): void {
    if (this.closing && !this.slot) return;
    const text = this.text;
    this.text = "";
    this.io.stdout(`${JSON.stringify({ ...reply, text })}\n`);
  }

  private async handle(message: IpcMessage): Promise<IpcReply> {
    if (message.event === "configure") return this.configure(message.options ?? {});
    const slot = this.slot;
    if (!slot) return { ok: false, error: `${message.event} before configure` };
    const tracker = slot.tracker;
    switch (message.event) {
      case "epoch_start":
        this.started = true;
        tracker.epochStart();
        return { ok: true, finished: tracker.finished };
      case "epoch_end":
        await tracker.epochEnd();
        return {
          ok: true,
          finished: tracker.finished,
          ...(tracker.finished && this.userStopped ? { stop: true } : {}),
        };
      case "stop":
        await tracker.stop();
        return { ok: true, finished: true };
      default:
        return { ok: false, error: "answer: no question is pending" };
    }
  }

  private async configure(options: Record<string, unknown>): Promise<IpcReply> {
    const program = programOptions(options);
    const trackerOptions = {
      ...program.options,
      pid: this.parentPid,
      original: program.style,
    } as unknown as SlotTrackerOptions;
    try {
      if (!this.slot) {
        this.slot = await TrackerSlot.open(trackerOptions, {
          console: (text) => void (this.text += text),
          onSample: () => this.checkParent(),
          onUserStop: () => (this.userStopped = true),
          readAnswer: () => this.ask(),
        });
      } else if (this.started) {
        this.text += KEYS_TOO_LATE;
      } else {
        await this.slot.replace(trackerOptions);
      }
      return { ok: true, finished: this.slot.tracker.finished };
    } catch (error) {
      const option = error instanceof InvalidOptionError ? { option: error.option } : {};
      return { ok: false, error: error instanceof Error ? error.message : String(error), ...option };
    }
  }

  /** Sends the question with the text so far and waits for the program's `answer`. */
  private ask(): Promise<string | undefined> {
    return new Promise((resolve) => {
      this.answer = resolve;
      this.reply({ ok: true, ask: true });
    });
  }

  /**
   * A batch of background samples (every 10 s): a changed parent means the program is gone
   * without closing its pipe (a forked child holds it); a closed pipe is seen at once.
   */
  private checkParent(): void {
    if (process.ppid !== this.parentPid) void this.close("signal");
  }

  /** Closes the run once: every finished epoch is in the logs; later input is ignored. */
  close(reason: "stopped" | "signal"): Promise<void> {
    this.closing ??= (async () => {
      this.answer?.(undefined);
      await this.queue;
      const slot = this.slot;
      if (slot) {
        await slot.tracker.stop(reason);
        slot.close();
      }
      this.done();
    })();
    return this.closing;
  }
}

/**
 * Serves one session on `input` (this process's stdin) until the run is closed.
 * @returns the exit code: 0.
 */
export function runEngineSession(input: NodeJS.ReadStream, io: EngineSessionIo): Promise<number> {
  releaseMappedFilePagesLater();
  return new Promise((resolve) => {
    const signals = ["SIGTERM", "SIGINT", "SIGHUP"] as const;
    const onSignal = () => void session.close("signal");
    const session = new EngineSession(io, () => {
      for (const signal of signals) process.off(signal, onSignal);
      input.destroy();
      resolve(0);
    });
    for (const signal of signals) process.on(signal, onSignal);
    // The program may be gone before a reply is written: that ends the session, not the engine.
    process.stdout.on("error", onSignal);
    input.setEncoding("utf8");
    const feed = splitLines((line) => session.receive(line));
    input.on("data", (chunk: string) => void feed(chunk));
    input.on("end", () => void session.close("stopped"));
    input.on("error", () => void session.close("stopped"));
  });
}
