// Turns the wrapped program's messages into tracker calls, so that `--epochs N` behaves as the
// library does. A program that marks nothing is one epoch from start to exit, without a
// prediction. A program whose own `CarbonTracker(...)` attaches (the Python bindings) sends its
// options first: before its first mark they may replace the CLI's tracker (one measurement, never
// two), and its stop() ends the run as the library's does.
import type { IpcMessage, IpcReply } from "../ipc/protocol.js";
import type { CarbonTracker } from "../library/carbon-tracker.js";

/** Where the driver finds the tracker in force (a TrackerSlot). */
export interface TrackerHolder {
  readonly tracker: CarbonTracker;
}

/** What the driver tells the rest of the CLI, and asks of it. */
export interface EpochDriverHooks {
  /** The epoch now running (1-based) or finished last, after each mark. */
  onEpoch?: (epoch: number) => void;
  /** Whether the user answered "n" to "Continue training (y/n)?". */
  userStopped?: () => boolean;
  /** Called once, after the reply to the mark at which the user chose to stop. */
  onUserStop?: () => void;
  /**
   * Applies a program's `CarbonTracker(...)` options: replaces the tracker while no epoch was
   * measured, or starts the next run after a stopped one. Returns notes for the program's user.
   * Without it, `configure` is refused.
   */
  configure?: (options: Record<string, unknown>) => Promise<string[]>;
  /** A line for the console (the CLI's stderr). */
  note?: (text: string) => void;
}

/** Said when a command ran to its end without marking an epoch (with --epochs). */
const NO_EPOCH_MARKED =
  'CarbonTracker: The command marked no epoch: the whole run is counted as one, without a prediction. Mark epochs with carbontracker_ipc, carbontracker/ipc or CarbonTracker(...) in the program (see README, "Epochs from any language").\n';

/** Drives a tracker from the wrapped program's marks. */
export class EpochDriver {
  private marked = false;
  private open = false;
  private finished = 0;
  private stopSignalled = false;

  constructor(
    private readonly holder: TrackerHolder,
    private readonly hooks: EpochDriverHooks = {},
  ) {}

  private get tracker(): CarbonTracker {
    return this.holder.tracker;
  }

  /** The program started: an implicit epoch runs until its first mark or its exit. */
  begin(): void {
    this.tracker.epochStart();
    this.open = true;
    this.hooks.onEpoch?.(1);
  }

  /** Handles one message and answers it. */
  async handle(message: IpcMessage): Promise<IpcReply> {
    switch (message.event) {
      case "epoch_start":
        // The first explicit start replaces the implicit epoch (it was not an epoch).
        this.marked = true;
        this.tracker.epochStart();
        this.open = true;
        this.hooks.onEpoch?.(this.finished + 1);
        return { ok: true, epochs: this.finished };
      case "epoch_end":
        return this.epochEnd();
      case "configure":
        return this.configure(message.options ?? {});
      case "stop":
        this.open = false;
        this.marked = true;
        await this.tracker.stop();
        return { ok: true, epochs: this.finished, finished: true };
      default:
        return { ok: false, epochs: this.finished, error: `${message.event}: no question is pending` };
    }
  }

  private async epochEnd(): Promise<IpcReply> {
    if (!this.open) {
      return { ok: false, epochs: this.finished, error: "epoch_end without epoch_start" };
    }
    // A first epoch_end without a start ends the implicit epoch (started with the program).
    this.marked = true;
    this.open = false;
    await this.tracker.epochEnd();
    this.finished += 1;
    this.hooks.onEpoch?.(this.finished);
    const stop = this.hooks.userStopped?.() ?? false;
    if (stop && !this.stopSignalled) {
      this.stopSignalled = true;
      setImmediate(() => this.hooks.onUserStop?.());
    }
    const finished = this.tracker.finished;
    return { ok: true, epochs: this.finished, ...(stop ? { stop } : {}), ...(finished ? { finished } : {}) };
  }

  private async configure(options: Record<string, unknown>): Promise<IpcReply> {
    if (!this.hooks.configure) return { ok: false, error: "configure is not supported here" };
    const fresh = this.tracker.finished;
    const notes =
      this.marked && !fresh
        ? [
            "carbontracker: epochs were marked before this CarbonTracker(...) was created: it joins the run in progress and its options are not applied.",
          ]
        : await this.hooks.configure(options);
    for (const note of notes) this.hooks.note?.(`${note}\n`);
    if (fresh) {
      this.finished = 0;
      this.marked = false;
      this.open = false;
    } else if (this.open && !this.marked) {
      // The implicit epoch goes on in the tracker now in force.
      this.tracker.epochStart();
    }
    return { ok: true, epochs: this.finished, notes };
  }

  /**
   * The program exited: an implicit epoch ends here, without the prediction it could not make
   * (said in one line); an open marked one is cut short by stop().
   */
  async end(): Promise<void> {
    if (!this.marked && this.open) {
      this.open = false;
      const expected = this.tracker.options.epochsBeforePred > 0 && !this.tracker.finished;
      if (expected) this.hooks.note?.(NO_EPOCH_MARKED);
      await this.tracker.epochEnd({ predict: !expected });
      this.finished += 1;
    }
  }
}
