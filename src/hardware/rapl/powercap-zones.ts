// Finds RAPL zones in a powercap tree. Zones are identified by their `name` file, never by their
// index: `intel-rapl:1` is often `psys`, not socket 1. Works on the flat class directory
// (/sys/class/powercap with one symlink per zone) and on the nested devices tree alike.
import { join } from "node:path";
import { isDecimalDigits } from "../digits.js";
import type { PowercapFiles } from "./powercap-files.js";

/** Control types whose zones carry RAPL energy counters (AMD Zen uses `intel-rapl` too). */
const RAPL_CONTROL_TYPES = ["intel-rapl", "intel-rapl-mmio"] as const;

/** One zone of a powercap tree. */
export interface PowercapZone {
  /** The zone's directory name, e.g. `intel-rapl:0:1`. */
  id: string;
  controlType: (typeof RAPL_CONTROL_TYPES)[number];
  /** Top-level zone index (an enumeration index, not a socket id). */
  index: number;
  /** Sub-zone index, for `intel-rapl:N:M`. */
  subIndex?: number;
  /** Directory holding `name`, `energy_uj`, ... */
  path: string;
  /** Contents of `name` (`package-0`, `core`, `uncore`, `dram`, `psys`), or undefined when unreadable. */
  name: string | undefined;
}

/** The id of a zone's parent (`intel-rapl:0` for `intel-rapl:0:1`), or undefined for a top-level zone. */
export function parentZoneId(zone: PowercapZone): string | undefined {
  return zone.subIndex === undefined ? undefined : `${zone.controlType}:${zone.index}`;
}

function isControlType(text: string): text is PowercapZone["controlType"] {
  return (RAPL_CONTROL_TYPES as readonly string[]).includes(text);
}

/** The parts of a zone's directory name (`intel-rapl:0`, `intel-rapl-mmio:0`, `intel-rapl:0:1`), else undefined. */
function parseZoneEntry(entry: string): Pick<PowercapZone, "controlType" | "index" | "subIndex"> | undefined {
  const [controlType = "", index = "", subIndex, ...more] = entry.split(":");
  if (more.length > 0 || !isControlType(controlType) || !isDecimalDigits(index)) return undefined;
  if (subIndex !== undefined && !isDecimalDigits(subIndex)) return undefined;
  return {
    controlType,
    index: Number(index),
    subIndex: subIndex === undefined ? undefined : Number(subIndex),
  };
}

/** Every RAPL zone under `root`, each once, in index order (top-level, then its sub-zones). */
export function discoverZones(root: string, files: PowercapFiles): PowercapZone[] {
  const found = new Map<string, PowercapZone>();
  const visit = (dir: string, depth: number): void => {
    let entries: string[];
    try {
      entries = files.list(dir);
    } catch {
      return;
    }
    const descend: string[] = [];
    // Direct entries first, so a flat class directory names every zone by its own path.
    for (const entry of entries) {
      const zone = parseZoneEntry(entry);
      if (!zone && !isControlType(entry)) continue;
      const path = join(dir, entry);
      if (zone && !found.has(entry)) {
        found.set(entry, { id: entry, ...zone, path, name: readName(files, path) });
      }
      descend.push(path);
    }
    if (depth < 3) for (const path of descend) visit(path, depth + 1);
  };
  visit(root, 0);
  return [...found.values()].sort(compareZones);
}

function readName(files: PowercapFiles, dir: string): string | undefined {
  try {
    return files.readText(join(dir, "name")).trim() || undefined;
  } catch {
    return undefined;
  }
}

function compareZones(a: PowercapZone, b: PowercapZone): number {
  return (
    compareControlTypes(a.controlType, b.controlType) ||
    a.index - b.index ||
    (a.subIndex ?? -1) - (b.subIndex ?? -1)
  );
}

/** Orders control type names (ASCII) without localeCompare, whose first call loads ICU's collator (ms and MBs). */
export function compareControlTypes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
