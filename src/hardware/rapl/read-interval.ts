// How often a RAPL counter must be read so that no wrap-around goes unseen: one wrap per read
// interval can be detected, so the interval must stay well under range / highest power.
import { join } from "node:path";
import { isDecimalDigits } from "../digits.js";
import type { PowercapFiles } from "./powercap-files.js";
import type { PowercapZone } from "./powercap-zones.js";

/**
 * Highest plausible power of one package when its zone states no power constraint (W). The
 * largest shipping server sockets are rated 500 W (AMD EPYC 9965, Intel Xeon 6980P); twice that
 * leaves room for turbo excursions and future parts. AMD zones have no constraint files, so this
 * is the figure used there: 65532610987 µJ / 1000 W = 65.5 s to a wrap, read every 32.8 s.
 */
export const DEFAULT_PEAK_POWER_W = 1000;

/** Factor on the highest constraint found (short-term and peak limits may be exceeded briefly). */
const CONSTRAINT_HEADROOM = 2;

/** Fraction of the wrap time used as the read interval (room for a late timer on a busy machine). */
export const WRAP_SAFETY_FRACTION = 0.5;

/**
 * Counter range assumed when `max_energy_range_uj` is unreadable (µJ): the smallest range in
 * common use (AMD Zen, 32-bit counter × 15.26 µJ).
 */
export const ASSUMED_RANGE_UJ = 65_532_610_987;

/** The highest plausible power of a zone, and where that figure came from. */
export interface PeakPower {
  watts: number;
  source: string;
}

/** Whether a zone's file is a power constraint (`constraint_<n>_max_power_uw`, `constraint_<n>_power_limit_uw`). */
function isPowerConstraintFile(entry: string): boolean {
  const prefix = "constraint_";
  if (!entry.startsWith(prefix)) return false;
  const underscore = entry.indexOf("_", prefix.length);
  if (underscore < 0 || !isDecimalDigits(entry.slice(prefix.length, underscore))) return false;
  const kind = entry.slice(underscore + 1);
  return kind === "max_power_uw" || kind === "power_limit_uw";
}

/** The highest `constraint_*_{max_power,power_limit}_uw` of a zone (W), or undefined if none is > 0. */
function highestConstraint(
  zone: PowercapZone,
  files: PowercapFiles,
): { watts: number; file: string } | undefined {
  let best: { watts: number; file: string } | undefined;
  let entries: string[];
  try {
    entries = files.list(zone.path);
  } catch {
    return undefined;
  }
  for (const entry of entries.filter(isPowerConstraintFile).sort()) {
    try {
      const watts = Number(files.readText(join(zone.path, entry)).trim()) / 1e6;
      if (Number.isFinite(watts) && watts > 0 && (best === undefined || watts > best.watts)) {
        best = { watts, file: `${zone.id}/${entry}` };
      }
    } catch {
      // An unreadable constraint is no constraint.
    }
  }
  return best;
}

/**
 * Highest plausible power of a zone (W): headroom × its highest constraint, else its parent
 * package's (DRAM zones state none), else DEFAULT_PEAK_POWER_W.
 */
export function plausiblePeakPower(
  zone: PowercapZone,
  parent: PowercapZone | undefined,
  files: PowercapFiles,
): PeakPower {
  const constraint = highestConstraint(zone, files) ?? (parent && highestConstraint(parent, files));
  if (constraint === undefined) {
    return { watts: DEFAULT_PEAK_POWER_W, source: `no power constraint: default ${DEFAULT_PEAK_POWER_W} W` };
  }
  return {
    watts: constraint.watts * CONSTRAINT_HEADROOM,
    source: `${CONSTRAINT_HEADROOM} x ${formatWatts(constraint.watts)} W from ${constraint.file}`,
  };
}

/** Longest safe read interval for a counter of `rangeUj` at up to `peakW` (ms). */
export function safeReadIntervalMs(rangeUj: number, peakW: number): number {
  return (rangeUj / (peakW * 1e6)) * 1000 * WRAP_SAFETY_FRACTION;
}

function formatWatts(watts: number): string {
  return Number.isInteger(watts) ? String(watts) : watts.toFixed(1);
}
