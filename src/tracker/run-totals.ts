// Sums over counted epochs: the consumption the original reports (facility energy in kWh, CO2eq
// and the intensity they imply) and the device energy per component.
import type { Component } from "../hardware/types.js";
import { facilityKwh, type GramsPerKwh } from "../units/index.js";
import type { ConsumptionResult, EpochResult } from "./results.js";

/** The consumption of some epochs; `fallbackGPerKwh` names the intensity when nothing was used. */
export function consumptionOf(
  epochs: readonly EpochResult[],
  pue: number,
  fallbackGPerKwh: GramsPerKwh,
): ConsumptionResult {
  const energyJ = epochs.reduce((sum, e) => sum + e.energyJ, 0);
  const co2eqG = epochs.reduce((sum, e) => sum + e.co2eqG, 0);
  const energyKwh = facilityKwh(energyJ, pue);
  return {
    epochs: epochs.length,
    durationS: epochs.reduce((sum, e) => sum + e.durationS, 0),
    energyKwh,
    co2eqG,
    gPerKwh: energyKwh > 0 ? co2eqG / energyKwh : fallbackGPerKwh,
  };
}

/** Device energy (J, before PUE) per component over some epochs. */
export function energyByComponent(epochs: readonly EpochResult[]): Partial<Record<Component, number>> {
  const sums: Partial<Record<Component, number>> = {};
  for (const e of epochs) {
    for (const [c, j] of Object.entries(e.energyByComponentJ) as [Component, number][]) {
      sums[c] = (sums[c] ?? 0) + j;
    }
  }
  return sums;
}
