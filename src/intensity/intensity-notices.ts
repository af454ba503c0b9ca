// When the run says what about its intensity: the live line when the first live reading arrives,
// or the embedded figure's warning when none can come (offline) or none came within a few
// seconds (or before the run ended). Never both at start: the live figure usually arrives in
// 100 ms, and then the embedded figure covers nothing.
import type { IntensityProvider } from "./provider.js";
import type { IntensityReading } from "./types.js";

/** Seconds a live reading may take before the embedded figure's warning is given. */
const DEFAULT_WARNING_GRACE_S = 5;

/** What the decisions go to, and the grace period. */
export interface IntensityNoticeOptions {
  provider: IntensityProvider;
  /** The embedded figure is the one in force: say so (the reading carries the warning's words). */
  onDefault(reading: IntensityReading): void;
  /** Milliseconds to wait for a live reading; default DEFAULT_WARNING_GRACE_S. */
  graceMs?: number;
  now?: () => number;
}

/** Decides, once per run, between the live line and the embedded figure's warning. */
export class IntensityNotices {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private settled = false;
  private liveSeen = false;
  private readonly now: () => number;

  constructor(
    private readonly options: IntensityNoticeOptions,
    private readonly initial: IntensityReading,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** At the run's start: the warning at once when no live reading can come, else wait for one. */
  start(): void {
    if (!(this.options.provider.liveExpected?.() ?? false)) {
      this.sayDefault();
      return;
    }
    this.timer = setTimeout(() => this.sayDefault(), this.options.graceMs ?? DEFAULT_WARNING_GRACE_S * 1000);
    this.timer.unref?.();
  }

  /**
   * Each reading as it arrives. True for the first live one, which is to be shown at default
   * verbosity (also when the warning came first); later ones are for verbose 2.
   */
  onReading(reading: IntensityReading): boolean {
    if (reading.forecast || reading.fallback) return false;
    this.settle();
    const first = !this.liveSeen;
    this.liveSeen = true;
    return first;
  }

  /** At the run's end: a run that ended before any live reading still gets the warning. */
  finish(): void {
    this.sayDefault();
  }

  /** Tracking was switched off: say nothing more. */
  cancel(): void {
    this.settle();
  }

  private settle(): void {
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private sayDefault(): void {
    if (this.settled) return;
    this.settle();
    this.options.onDefault(this.options.provider.fallback?.(this.now()) ?? this.initial);
  }
}
