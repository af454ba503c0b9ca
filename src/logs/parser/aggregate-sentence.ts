// The original's `print_aggregate` sentence, word for word; 16 decimals as it prints them since
// 2.x (its README shows 3), so scripts that read it keep working.
import { toFixedHalfEven } from "../../units/index.js";
import type { ConsumptionTotals } from "./types.js";

/** Where the sentence sends readers: the original's own address, kept as it prints it. */
const CARBONTRACKER_URL = "https://github.com/lfwa/carbontracker";

function fixed(value: number, decimals: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  return toFixedHalfEven(value, decimals);
}

/** "The training of models in this work is estimated to use ... Measured by carbontracker (...)." */
export function aggregateSentence(
  totals: Pick<ConsumptionTotals, "energyKwh" | "co2eqG" | "equivalents">,
  decimals = 16,
  format: (value: number) => string = (value) => fixed(value, decimals),
): string {
  const equivalents = Object.entries(totals.equivalents)
    .map(([key, value]) => `${format(value)} ${key}`)
    .join(" or ");
  let sentence = `The training of models in this work is estimated to use ${format(totals.energyKwh)} kWh of electricity contributing to ${format(totals.co2eqG / 1000)} kg of CO2eq. `;
  if (equivalents) sentence += `This is equivalent to ${equivalents}. `;
  return `${sentence}Measured by carbontracker (${CARBONTRACKER_URL}).`;
}
