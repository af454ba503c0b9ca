// What the console says about the run's intensity: the live line when a live reading arrives, or
// the embedded figure's warning when none can come (offline) or none came within a few seconds
// (or before the run ended). Never both at start: the live figure usually arrives in 100 ms.
import type { IntensityProvider } from "./provider.js";
import { staleWarning } from "./static/static-source.js";
import type { IntensityReading } from "./types.js";

/** Seconds a live reading may take before the embedded figure's warning is shown. */
export const DEFAULT_WARNING_GRACE_S = 5;

/** Where the notices go and when. */
export interface IntensityNoticeOptions {
  provider: IntensityProvider;
  /** A warning line (console and err log). */
  warn(text: string): void;
  /** A "CarbonTracker: ..." line, shown from verbosity `minVerbose` on. */
  output(text: string, minVerbose: number): void;
  /** Milliseconds to wait for a live reading; default DEFAULT_WARNING_GRACE_S. */
  graceMs?: number;
  now?: () => number;
}

/** The live line, in the original's words ("Current carbon intensity is ... at detected location: ..."). */
export function liveLine(reading: IntensityReading, location: IntensityProvider["location"]): string {
  const guess =
    location.method === "timezone-guess"
      ? ` The location is a guess (${location.description}): set --country or CARBONTRACKER_COUNTRY to be sure.`
      : "";
  return `Current carbon intensity is ${reading.gPerKwh.toFixed(2)} gCO2eq/kWh at detected location: ${reading.location} (${reading.source}).${guess}`;
}

/** Decides, once per run, between the live line and the default figure's warning. */
export class IntensityNotices {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private settled = false;
  private liveShown = false;
  private readonly now: () => number;

  constructor(
    private readonly options: IntensityNoticeOptions,
    private readonly initial: IntensityReading,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** At the run's start: warn at once when no live reading can come, else wait for one. */
  start(): void {
    if (!(this.options.provider.liveExpected?.() ?? false)) {
      this.sayDefault();
      return;
    }
    this.timer = setTimeout(() => this.sayDefault(), this.options.graceMs ?? DEFAULT_WARNING_GRACE_S * 1000);
    this.timer.unref?.();
  }

  /** Each reading as it arrives: the first live one is shown at default verbosity (also after the warning), later ones at 2. */
  onReading(reading: IntensityReading): void {
    if (reading.forecast || reading.fallback) return;
    this.settle();
    this.options.output(liveLine(reading, this.options.provider.location), this.liveShown ? 2 : 1);
    this.liveShown = true;
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
    const reading = this.options.provider.fallback?.(this.now()) ?? this.initial;
    this.options.warn(reading.message);
    const stale = staleWarning(reading, this.now());
    if (stale) this.options.warn(stale);
  }
}
