// CO2eq from energy and the intensity in force while it was used: each window's energy is
// spread over its time and weighted by the intensities valid in it, then PUE is applied.
import type { IntensityReading } from "../intensity/types.js";
import { joulesToKwh, type GramsCo2e, type Joules } from "../units/index.js";

/** The carbon intensities of a run over time. */
export class IntensityTimeline {
  private readonly readings: IntensityReading[] = [];
  private weightedGrams = 0;
  private weightedKwh = 0;

  constructor(first: IntensityReading) {
    this.readings.push(first);
  }

  /** Adds a newer reading (valid from its validFrom on). */
  add(reading: IntensityReading): void {
    this.readings.push(reading);
    this.readings.sort((a, b) => a.validFrom - b.validFrom);
  }

  /** Every reading so far. */
  all(): readonly IntensityReading[] {
    return this.readings;
  }

  /** The reading in force at `tMs` (the first one before any reading starts). */
  at(tMs: number): IntensityReading {
    let current = this.readings[0] as IntensityReading;
    for (const reading of this.readings) {
      if (reading.validFrom <= tMs && !reading.forecast) current = reading;
    }
    return current;
  }

  /** Time-weighted intensity over [startMs, endMs] (g/kWh). */
  meanOver(startMs: number, endMs: number): number {
    const measured = this.readings.filter((r) => !r.forecast);
    if (endMs <= startMs || measured.length <= 1) return this.at(endMs).gPerKwh;
    let weighted = 0;
    for (let i = 0; i < measured.length; i++) {
      const reading = measured[i] as IntensityReading;
      const from = i === 0 ? startMs : Math.max(startMs, reading.validFrom);
      const to = Math.min(endMs, measured[i + 1]?.validFrom ?? endMs);
      if (to > from) weighted += reading.gPerKwh * (to - from);
    }
    return weighted / (endMs - startMs);
  }

  /** Grams CO2eq of energy (before PUE) used evenly over [startMs, endMs], with PUE applied. */
  grams(energyJ: Joules, startMs: number, endMs: number, pue: number): GramsCo2e {
    return joulesToKwh(energyJ) * pue * this.meanOver(startMs, endMs);
  }

  /** Records energy against the intensity in force, for the energy-weighted average. */
  account(energyJ: Joules, startMs: number, endMs: number): void {
    const kwh = joulesToKwh(energyJ);
    this.weightedKwh += kwh;
    this.weightedGrams += kwh * this.meanOver(startMs, endMs);
  }

  /** Energy-weighted average intensity of what was accounted (g/kWh); the latest reading if nothing was. */
  average(): number {
    return this.weightedKwh > 0 ? this.weightedGrams / this.weightedKwh : this.at(Date.now()).gPerKwh;
  }
}
