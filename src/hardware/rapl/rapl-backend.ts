// The RAPL backend: Intel and AMD (Zen, same powercap driver) package and DRAM energy counters
// under CARBONTRACKER_POWERCAP_ROOT. Opens only when every zone it would sum is readable, so a
// partial sum is never presented as the CPU's energy.
import { join } from "node:path";
import type { Backend, OpenResult, ReaderNotice } from "../types.js";
import { parseMicrojoules } from "./counter-delta.js";
import { errorCode, isPermissionError, nodePowercapFiles, type PowercapFiles } from "./powercap-files.js";
import { discoverZones, parentZoneId, type PowercapZone } from "./powercap-zones.js";
import { permissionDeniedMessage } from "./permission-fix.js";
import { plausiblePeakPower, safeReadIntervalMs, ASSUMED_RANGE_UJ } from "./read-interval.js";
import { RaplReader, type RaplDeviceSpec } from "./rapl-reader.js";
import { selectZones, type ZoneSelection } from "./zone-selection.js";

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
  for (const measured of selection.measured) {
    const energyPath = join(measured.zone.path, "energy_uj");
    let initialUj: number | undefined;
    try {
      initialUj = parseMicrojoules(files.readText(energyPath));
      if (initialUj === undefined) failed.push(`${energyPath} (not a count of microjoules)`);
    } catch (error) {
      if (isPermissionError(error)) denied.push(energyPath);
      else failed.push(`${energyPath} (${errorCode(error) ?? String(error)})`);
    }
    const maxRangeUj = readRange(measured.zone, files);
    if (maxRangeUj === undefined) {
      notices.push({
        level: "warning",
        message: `${join(measured.zone.path, "max_energy_range_uj")} is unreadable: a wrap-around of ${measured.device}'s counter cannot be corrected and its interval will be left out.`,
      });
    }
    const parentId = parentZoneId(measured.zone);
    const parent: PowercapZone | undefined = parentId === undefined ? undefined : byId.get(parentId);
    const peak = plausiblePeakPower(measured.zone, parent, files);
    if (initialUj !== undefined) specs.push({ zone: measured, maxRangeUj, peak, initialUj });
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
    .map((s) => `${s.zone.device} (${s.zone.zone.name ?? s.zone.domain}, ${s.zone.zone.id})`)
    .join(", ");
  const leftOut = selection.leftOut
    .map((l) => `${l.zone.id}${l.zone.name ? ` ${l.zone.name}` : ""} (${l.why})`)
    .join(", ");
  let tightest: { spec: RaplDeviceSpec; intervalMs: number } | undefined;
  for (const spec of specs) {
    const intervalMs = safeReadIntervalMs(spec.maxRangeUj ?? ASSUMED_RANGE_UJ, spec.peak.watts);
    if (tightest === undefined || intervalMs < tightest.intervalMs) tightest = { spec, intervalMs };
  }
  let wrap = "";
  if (tightest !== undefined) {
    const { spec, intervalMs } = tightest;
    const rangeJ = (spec.maxRangeUj ?? ASSUMED_RANGE_UJ) / 1e6;
    const wrapS = rangeJ / spec.peak.watts;
    wrap =
      ` The fastest wrap-around is ${spec.zone.device}'s: ${formatNumber(rangeJ)} J` +
      `${spec.maxRangeUj === undefined ? " (assumed range)" : ""} in ${formatNumber(wrapS)} s at up to ` +
      `${formatNumber(spec.peak.watts)} W (${spec.peak.source}), so counters are read at least every ` +
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
