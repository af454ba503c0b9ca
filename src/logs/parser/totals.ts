// The original's aggregate: the counted figure of every run added up in file order (so totals
// match it to the last bit where its choice was right); unknown CO2eq and nan energy add nothing.
import type { ConsumptionTotals, ParsedRun } from "./types.js";

/** Sum of the counted energy (kWh after PUE), CO2eq (g) and equivalents of the runs. */
export function totalConsumption(runs: readonly ParsedRun[]): ConsumptionTotals {
  let energyKwh = 0;
  let co2eqG = 0;
  let counted = 0;
  const equivalents: Record<string, number> = {};
  for (const { counted: c } of runs) {
    if (c.basis === "none") continue;
    counted++;
    if (Number.isFinite(c.energyKwh)) energyKwh += c.energyKwh;
    if (c.co2eqG !== null && Number.isFinite(c.co2eqG)) co2eqG += c.co2eqG;
    for (const [key, value] of Object.entries(c.equivalents ?? {})) {
      if (Number.isFinite(value)) equivalents[key] = (equivalents[key] ?? 0) + value;
    }
  }
  return { energyKwh, co2eqG, equivalents, runs: counted };
}
