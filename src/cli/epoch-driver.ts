// Turns the wrapped program's epoch marks into tracker calls, so that `--epochs N` behaves as
// the library does. A program that marks nothing is one epoch from start to exit, as before.
import type { IpcMessage, IpcReply } from "../ipc/protocol.js";
import type { CarbonTracker } from "../tracker/carbon-tracker.js";

/** What the driver tells the rest of the CLI. */
export interface EpochDriverHooks {
  /** The epoch now running (1-based) or finished last, after each mark. */
  onEpoch?: (epoch: number) => void;
  /** Whether the user answered "n" to "Continue training (y/n)?". */
  userStopped?: () => boolean;
  /** Called once, after the reply to the mark at which the user chose to stop. */
  onUserStop?: () => void;
}

/** Drives a tracker from the wrapped program's marks. */
export class EpochDriver {
  private marked = false;
  private open = false;
  private finished = 0;
  private stopSignalled = false;

  constructor(
    private readonly tracker: CarbonTracker,
    private readonly hooks: EpochDriverHooks = {},
  ) {}

  /** Epochs finished so far. */
  get epochs(): number {
    return this.finished;
  }

  /** The program started: an implicit epoch runs until its first mark or its exit. */
  begin(): void {
    this.tracker.epochStart();
    this.open = true;
    this.hooks.onEpoch?.(1);
  }

  /** Handles one mark and answers it. */
  async handle(message: IpcMessage): Promise<IpcReply> {
    if (message.event === "epoch_start") {
      // The first explicit start replaces the implicit epoch (it was not an epoch).
      this.marked = true;
      this.tracker.epochStart();
      this.open = true;
      this.hooks.onEpoch?.(this.finished + 1);
      return { ok: true, epochs: this.finished };
    }
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
    return stop ? { ok: true, epochs: this.finished, stop } : { ok: true, epochs: this.finished };
  }

  /** The program exited: the implicit epoch ends here; an open marked one is cut short by stop(). */
  async end(): Promise<void> {
    if (!this.marked && this.open) {
      this.open = false;
      await this.tracker.epochEnd();
      this.finished += 1;
    }
  }
}
