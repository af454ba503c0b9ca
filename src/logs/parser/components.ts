// Per-component measurements (the original's `parse_logs` shape) and what they add up to, from
// the standard log's epoch durations and power values.
import type { ComponentMeasurements } from "./types.js";
import type { StandardLog } from "./standard-log.js";

/** Components of a standard log, with each epoch's energy = power x duration (J, before PUE). */
export function componentsOf(
  log: StandardLog,
  provenance: (component: string, devices: string[]) => string,
): Record<string, ComponentMeasurements> {
  const names = [...new Set([...Object.keys(log.devices), ...Object.keys(log.powers)])];
  const components: Record<string, ComponentMeasurements> = {};
  for (const name of names) {
    const devices = log.devices[name] ?? [];
    const powerW = log.powers[name] ?? [];
    const energyJ = powerW.map((values, e) => {
      const seconds = log.durations[e];
      return values.map((w) => (w === null || seconds === undefined ? null : w * seconds));
    });
    components[name] = {
      devices,
      powerW,
      energyJ,
      epochDurationsS: [...log.durations],
      provenance: provenance(name, devices),
    };
  }
  return components;
}

/** Energy per component over all epochs (J, before PUE); unknown powers add nothing. */
export function energyByComponentJ(
  components: Record<string, ComponentMeasurements>,
): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const [name, c] of Object.entries(components)) {
    let joules = 0;
    for (const epoch of c.energyJ) for (const j of epoch) if (j !== null && Number.isFinite(j)) joules += j;
    totals[name] = joules;
  }
  return totals;
}
