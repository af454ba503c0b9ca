// The RAPL backend: Intel and AMD (Zen, same powercap driver) package and DRAM energy counters
// under CARBONTRACKER_POWERCAP_ROOT. Opens only when every zone it would sum is readable, so a
// partial sum is never presented as the CPU's energy. A zone with no energy_uj file is read through
// its intel-rapl-mmio twin (the same package counter) where that has one, else is measured as the
// sum of its subzones' counters, as the original does.
import { join } from "node:path";
import type { Backend, OpenResult, ReaderNotice } from "../types.js";
import { parseMicrojoules } from "./counter-delta.js";
import { errorCode, isPermissionError, nodePowercapFiles, type PowercapFiles } from "./powercap-files.js";
import { discoverZones, parentZoneId, type PowercapZone } from "./powercap-zones.js";
import { permissionDeniedMessage } from "./permission-fix.js";
import { plausiblePeakPower, safeReadIntervalMs, ASSUMED_RANGE_UJ } from "./read-interval.js";
import {
  RaplReader,
  isSubzoneSum,
  mmioTwinOf,
  summedZonesText,
  type RaplCounterSpec,
  type RaplDeviceSpec,
} from "./rapl-reader.js";
import {
  mmioTwin,
  selectZones,
  subzoneSum,
  type MeasuredZone,
  type ZoneSelection,
} from "./zone-selection.js";

/** Where Linux exposes powercap zones; CARBONTRACKER_POWERCAP_ROOT overrides it (containers, tests). */
const DEFAULT_POWERCAP_ROOT = "/sys/class/powercap";

/** Options of the RAPL backend, each with the real default. */
export interface RaplOptions {
  /** File access (default: the real file system). */
  files?: PowercapFiles;
  /** Measure psys (platform) zones instead of packages + DRAM (default false, as the original). */
  usePsys?: boolean;
  /** Clock for the open time (Unix ms; default Date.now). */
  now?: () => number;
}

const skip = (reason: string, extra: { fix?: string; notices?: ReaderNotice[] } = {}): OpenResult => ({
  skip: { backend: "rapl", component: "cpu", reason, ...(extra.fix ? { fix: extra.fix } : {}) },
  ...(extra.notices ? { notices: extra.notices } : {}),
});

/** Opens the RAPL zones under `root`, or says why not. Never throws for missing or unreadable hardware. */
export function openRapl(root: string, options: RaplOptions = {}): OpenResult {
  const files = options.files ?? nodePowercapFiles;
  try {
    files.list(root);
  } catch (error) {
    return skip(`no powercap tree at ${root} (${errorCode(error) ?? String(error)})`);
  }
  const zones = discoverZones(root, files);
  if (zones.length === 0) return skip(`no RAPL zones (intel-rapl:N) under ${root}`);
  const selection = selectZones(zones, { usePsys: options.usePsys });
  if (selection.measured.length === 0) {
    const seen = zones.map((z) => `${z.id} (${z.name ?? "no name"})`).join(", ");
    return skip(`no package or DRAM zone under ${root}; found ${seen}`);
  }

  const openedAtMs = (options.now ?? Date.now)();
  const denied: string[] = [];
  const failed: string[] = [];
  const specs: RaplDeviceSpec[] = [];
  const notices: ReaderNotice[] = [];
  const byId = new Map(zones.map((zone) => [zone.id, zone]));
  const openCounter = (measured: MeasuredZone, zone: PowercapZone, initialUj: number): RaplCounterSpec => {
    const maxRangeUj = readRange(zone, files);
    if (maxRangeUj === undefined) {
      notices.push({
        level: "warning",
        message: `${join(zone.path, "max_energy_range_uj")} is unreadable: a wrap-around of ${measured.device}'s counter cannot be corrected and its interval will be left out.`,
      });
    }
    const parentId = parentZoneId(zone);
    const parent: PowercapZone | undefined = parentId === undefined ? undefined : byId.get(parentId);
    return { zone, maxRangeUj, peak: plausiblePeakPower(zone, parent, files), initialUj };
  };
  for (const measured of selection.measured) {
    const energyPath = join(measured.zone.path, "energy_uj");
    const own = firstRead(measured.zone, files);
    if (!("missing" in own)) {
      if ("denied" in own) denied.push(energyPath);
      else if ("failure" in own) failed.push(own.failure);
      else specs.push({ zone: measured, counters: [openCounter(measured, measured.zone, own.uj)] });
      continue;
    }
    // Own counter > the MMIO twin's (the whole package, the same counter) > the subzones' sum.
    const twin = mmioTwin(measured.zone, zones);
    const twinRead = twin === undefined ? undefined : firstRead(twin, files);
    if (twin !== undefined && twinRead !== undefined && "uj" in twinRead) {
      specs.push({ zone: measured, counters: [openCounter(measured, twin, twinRead.uj)] });
      continue;
    }
    const twinDenied = twin !== undefined && twinRead !== undefined && "denied" in twinRead;
    const { summed, measuredApart } = subzoneSum(measured.zone, zones, selection);
    const counters: RaplCounterSpec[] = [];
    const refusedBefore = denied.length + failed.length;
    for (const subzone of summed) {
      // A subzone with no energy_uj either has no counter to add; an unreadable one refuses the
      // backend below, as any unreadable counter does.
      const read = firstRead(subzone, files);
      if ("uj" in read) counters.push(openCounter(measured, subzone, read.uj));
      else if ("denied" in read) denied.push(join(subzone.path, "energy_uj"));
      else if ("failure" in read) failed.push(read.failure);
    }
    if (counters.length > 0) {
      specs.push({ zone: measured, counters });
      if (twinDenied) notices.push(twinUnreadable(measured, twin));
    } else if (twinDenied) {
      denied.push(join(twin.path, "energy_uj"));
    } else if (denied.length + failed.length === refusedBefore) {
      failed.push(noSubzoneToSum(energyPath, measured, measuredApart));
    }
  }
  if (denied.length > 0) {
    const { reason, fix } = permissionDeniedMessage(denied);
    return skip(reason, {
      fix,
      // One line for the logs (the original's line format); the fix keeps its lines for `doctor`.
      notices: [{ level: "warning", message: `${reason} To measure it: ${fix.split("\n").join(" ")}` }],
    });
  }
  if (failed.length > 0) return skip(`cannot read RAPL energy counters: ${failed.join(", ")}`);

  const reader = new RaplReader(specs, openedAtMs, files);
  notices.push({ level: "info", message: describeOpen(root, selection, specs) });
  return { reader, notices };
}

/** Creates the backend with options (tests inject file access); `raplBackend` is the default one. */
export function createRaplBackend(options: RaplOptions = {}): Backend {
  return {
    id: "rapl",
    component: "cpu",
    open: (context) => openRapl(context.env.CARBONTRACKER_POWERCAP_ROOT || DEFAULT_POWERCAP_ROOT, options),
  };
}

/** RAPL on the real file system, as the registry uses it. */
export const raplBackend: Backend = createRaplBackend();

/** The first reading of a zone's energy_uj (µJ), or why there is none. */
type FirstRead = { uj: number } | { denied: true } | { missing: true } | { failure: string };

function firstRead(zone: PowercapZone, files: PowercapFiles): FirstRead {
  const energyPath = join(zone.path, "energy_uj");
  try {
    const uj = parseMicrojoules(files.readText(energyPath));
    return uj === undefined ? { failure: `${energyPath} (not a count of microjoules)` } : { uj };
  } catch (error) {
    if (isPermissionError(error)) return { denied: true };
    if (errorCode(error) === "ENOENT") return { missing: true };
    return { failure: `${energyPath} (${errorCode(error) ?? String(error)})` };
  }
}

/** The warning for a zone summed from its subzones because its MMIO twin's counter is root-only. */
function twinUnreadable(measured: MeasuredZone, twin: PowercapZone): ReaderNotice {
  const file = join(twin.path, "energy_uj");
  return {
    level: "warning",
    message: `${measured.zone.id} has no energy_uj and its MMIO twin's ${file} is not readable by this user (permission denied): ${measured.device} is the sum of its subzones, which misses what the package draws outside them. To measure the whole package: sudo chmod o+r ${file}`,
  };
}

/** Why a zone with no energy_uj cannot be measured through its subzones either. */
function noSubzoneToSum(energyPath: string, measured: MeasuredZone, apart: MeasuredZone[]): string {
  const why = `ENOENT; no subzone of ${measured.zone.id} has an energy_uj to sum instead`;
  const others = apart.map((m) => `${m.zone.id} is measured on its own (${m.device})`).join(", ");
  return `${energyPath} (${why}${others ? `: ${others}` : ""})`;
}

function readRange(zone: PowercapZone, files: PowercapFiles): number | undefined {
  try {
    const range = parseMicrojoules(files.readText(join(zone.path, "max_energy_range_uj")));
    return range !== undefined && range > 0 ? range : undefined;
  } catch {
    return undefined;
  }
}

/** The open notice: what is measured, what is left out, and the read interval chosen. */
function describeOpen(root: string, selection: ZoneSelection, specs: RaplDeviceSpec[]): string {
  const measured = specs
    .map((s) => {
      const twin = mmioTwinOf(s);
      let summed = "";
      if (isSubzoneSum(s)) {
        summed = `, which has no energy_uj: the sum of its subzones ${summedZonesText(s)}; what it draws outside them is not seen`;
      } else if (twin) {
        summed = `, which has no energy_uj: read through its MMIO twin ${twin.id}, the same package counter`;
      }
      return `${s.zone.device} (${s.zone.zone.name ?? s.zone.domain}, ${s.zone.zone.id}${summed})`;
    })
    .join(", ");
  const counted = new Set(specs.flatMap((s) => s.counters.map((c) => c.zone.id)));
  const leftOut = selection.leftOut
    .filter((l) => !counted.has(l.zone.id))
    .map((l) => `${l.zone.id}${l.zone.name ? ` ${l.zone.name}` : ""} (${l.why})`)
    .join(", ");
  let tightest: { spec: RaplDeviceSpec; counter: RaplCounterSpec; intervalMs: number } | undefined;
  for (const spec of specs) {
    for (const counter of spec.counters) {
      const intervalMs = safeReadIntervalMs(counter.maxRangeUj ?? ASSUMED_RANGE_UJ, counter.peak.watts);
      if (tightest === undefined || intervalMs < tightest.intervalMs)
        tightest = { spec, counter, intervalMs };
    }
  }
  let wrap = "";
  if (tightest !== undefined) {
    const { spec, counter, intervalMs } = tightest;
    const rangeJ = (counter.maxRangeUj ?? ASSUMED_RANGE_UJ) / 1e6;
    const wrapS = rangeJ / counter.peak.watts;
    const whose =
      counter.zone === spec.zone.zone ? spec.zone.device : `${spec.zone.device} (${counter.zone.id})`;
    wrap =
      ` The fastest wrap-around is ${whose}'s: ${formatNumber(rangeJ)} J` +
      `${counter.maxRangeUj === undefined ? " (assumed range)" : ""} in ${formatNumber(wrapS)} s at up to ` +
      `${formatNumber(counter.peak.watts)} W (${counter.peak.source}), so counters are read at least every ` +
      `${formatNumber(intervalMs / 1000)} s.`;
  }
  return (
    `CPU energy from RAPL counters under ${root}: ${measured}.` +
    (leftOut ? ` Not summed: ${leftOut}.` : "") +
    wrap
  );
}

function formatNumber(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(1) : value.toPrecision(2);
}
