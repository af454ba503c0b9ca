// Whether a JSONL record has the fields its type promises, with finite numbers: what renders
// figures (the report, charts) reads only such records, so a damaged or hostile line ("t": 1e400,
// a device that is a number) is left out instead of crashing it.
import type { TrackerRecord } from "../schema.js";

const finite = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v);
const text = (v: unknown): boolean => typeof v === "string";
const finiteOrNull = (v: unknown): boolean => v === null || finite(v);

/** Fields that must hold, per record type. */
const CHECKS: Record<string, (r: Record<string, unknown>) => boolean> = {
  start: (r) => finite(r.pue) || r.pue === undefined,
  sample: (r) => text(r.device) && text(r.component) && finite(r.energy_j) && finiteOrNull(r.power_w),
  intensity: (r) => finite(r.g_per_kwh) && finite(r.valid_from),
  epoch: (r) => finite(r.epoch) && finite(r.energy_j) && finite(r.duration_s),
  prediction: (r) => finite(r.energy_kwh) && finiteOrNull(r.epochs) && finiteOrNull(r.co2eq_g),
  actual: (r) => finite(r.energy_kwh) && finiteOrNull(r.epochs) && finiteOrNull(r.co2eq_g),
  end: () => true,
};

/** True for a tracker record of a known type whose fields are usable. */
export function isWellFormedRecord(
  record: Record<string, unknown>,
): record is Record<string, unknown> & TrackerRecord {
  const check = typeof record.type === "string" ? CHECKS[record.type] : undefined;
  return check !== undefined && finite(record.t) && check(record);
}
