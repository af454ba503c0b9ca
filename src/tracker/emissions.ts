// CO2eq from energy and the intensity in force while it was used. A live reading applies to the
// period it is for (its validFrom on, back before it arrived, to the run's start and earlier)
// until a live reading for a later period replaces it, or until the embedded figure is taken
// again because every live source failed; the embedded figure covers only time no live reading
// does. Each window's energy is spread over its time and weighted by what covered it, when asked
// (so a reading that arrives late still counts for the time it covers).
import type { IntensityReading } from "../intensity/types.js";
import { joulesToKwh, type GramsPerKwh, type Joules } from "../units/index.js";

/** One intensity source's part in a run: its energy share and the mean figure it applied. */
export interface IntensityShare {
  source: string;
  location: string;
  /** Energy-weighted mean of this source's figures (g/kWh). */
  gPerKwh: GramsPerKwh;
  /** Fraction of the accounted energy (0-1) that ran under this source's figures. */
  energyShare: number;
}

/** A stretch of time and the reading that covered it. */
export interface CoveredSpan {
  reading: IntensityReading;
  fromMs: number;
  toMs: number;
}

interface Entry {
  reading: IntensityReading;
  /** Arrival order: a later arrival wins for the same period, and a later fallback ends a live figure. */
  seq: number;
  live: boolean;
}

interface Window {
  energyJ: Joules;
  startMs: number;
  endMs: number;
}

/** The carbon intensities of a run over time. */
export class IntensityTimeline {
  private readonly entries: Entry[] = [];
  private readonly windows: Window[] = [];

  constructor(first: IntensityReading) {
    this.add(first);
  }

  /** Adds a reading as it arrives; forecasts are kept for the record but cover no time. */
  add(reading: IntensityReading): void {
    this.entries.push({ reading, seq: this.entries.length, live: !reading.fallback });
  }

  /** Every reading so far, in arrival order. */
  all(): readonly IntensityReading[] {
    return this.entries.map((e) => e.reading);
  }

  /**
   * The reading in force at `tMs`: the live reading for the latest period begun by then, unless a
   * fallback arrived after it (every live source failed) and was in force by then; otherwise the
   * newest embedded figure (the best location known, applied to the whole run).
   */
  at(tMs: number): IntensityReading {
    let live: Entry | undefined;
    for (const entry of this.entries) {
      const { reading } = entry;
      if (!entry.live || reading.forecast || reading.validFrom > tMs) continue;
      if (
        !live ||
        reading.validFrom > live.reading.validFrom ||
        (reading.validFrom === live.reading.validFrom && entry.seq > live.seq)
      ) {
        live = entry;
      }
    }
    const fallbacks = this.entries.filter((e) => !e.live && !e.reading.forecast);
    const liveEnded =
      live && fallbacks.some((f) => f.seq > (live as Entry).seq && f.reading.validFrom <= tMs);
    if (live && !liveEnded) return live.reading;
    const chosen = fallbacks.at(-1) ?? live ?? this.entries[0];
    return (chosen as Entry).reading;
  }

  /** The readings covering [startMs, endMs], in time order, adjacent spans of one reading merged. */
  spans(startMs: number, endMs: number): CoveredSpan[] {
    if (endMs <= startMs) return [{ reading: this.at(endMs), fromMs: startMs, toMs: startMs }];
    const cuts = new Set([startMs, endMs]);
    for (const { reading } of this.entries) {
      if (!reading.forecast && reading.validFrom > startMs && reading.validFrom < endMs)
        cuts.add(reading.validFrom);
    }
    const points = [...cuts].sort((a, b) => a - b);
    const spans: CoveredSpan[] = [];
    for (let i = 0; i + 1 < points.length; i++) {
      const fromMs = points[i] as number;
      const toMs = points[i + 1] as number;
      const reading = this.at(fromMs);
      const last = spans.at(-1);
      if (last && last.reading === reading) last.toMs = toMs;
      else spans.push({ reading, fromMs, toMs });
    }
    return spans;
  }

  /** Time-weighted intensity over [startMs, endMs] (g/kWh). */
  meanOver(startMs: number, endMs: number): GramsPerKwh {
    if (endMs <= startMs) return this.at(endMs).gPerKwh;
    let weighted = 0;
    for (const span of this.spans(startMs, endMs))
      weighted += span.reading.gPerKwh * (span.toMs - span.fromMs);
    return weighted / (endMs - startMs);
  }

  /** Records a window's energy, weighted later by whatever covers its time (readings may still arrive). */
  account(energyJ: Joules, startMs: number, endMs: number): void {
    this.windows.push({ energyJ, startMs, endMs });
  }

  /** Energy-weighted average intensity of what was accounted (g/kWh); the latest reading if nothing was. */
  average(): GramsPerKwh {
    let kwh = 0;
    let grams = 0;
    for (const w of this.windows) {
      kwh += joulesToKwh(w.energyJ);
      grams += joulesToKwh(w.energyJ) * this.meanOver(w.startMs, w.endMs);
    }
    return kwh > 0 ? grams / kwh : this.at(Date.now()).gPerKwh;
  }

  /** The sources behind the accounted energy, largest share first. */
  shares(): IntensityShare[] {
    const bySource = new Map<string, { source: string; location: string; joules: number; grams: number }>();
    let total = 0;
    for (const w of this.windows) {
      if (w.energyJ <= 0) continue;
      total += w.energyJ;
      const length = w.endMs - w.startMs;
      for (const span of this.spans(w.startMs, w.endMs)) {
        const joules = length > 0 ? (w.energyJ * (span.toMs - span.fromMs)) / length : w.energyJ;
        const key = `${span.reading.source}\u0000${span.reading.location}`;
        const share = bySource.get(key) ?? {
          source: span.reading.source,
          location: span.reading.location,
          joules: 0,
          grams: 0,
        };
        share.joules += joules;
        share.grams += joules * span.reading.gPerKwh;
        bySource.set(key, share);
      }
    }
    return [...bySource.values()]
      .filter((s) => s.joules > 0)
      .map((s) => ({
        source: s.source,
        location: s.location,
        gPerKwh: s.grams / s.joules,
        energyShare: s.joules / total,
      }))
      .sort((a, b) => b.energyShare - a.energyShare);
  }
}
