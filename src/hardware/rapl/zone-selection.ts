// Decides which RAPL zones are measured so that nothing is counted twice: packages and DRAM are
// summed (DRAM sits outside the socket); core and uncore are inside their package; psys contains
// packages and DRAM; an intel-rapl-mmio zone repeats the package of the same name. A zone with no
// energy_uj of its own is measured through that MMIO twin where it has one (mmioTwin), else
// through its subzones (subzoneSum).
import { compareControlTypes, parentZoneId, type PowercapZone } from "./powercap-zones.js";

/** What a measured zone stands for. */
type RaplDomain = "package" | "dram" | "psys";

/** A zone that becomes a device. */
export interface MeasuredZone {
  /** Device name as the original names it: `cpu:<N>`, `dram:<N>` (N = the zone index), `psys:<N>`. */
  device: string;
  domain: RaplDomain;
  zone: PowercapZone;
}

/** A zone that is not measured, and why. */
interface LeftOutZone {
  zone: PowercapZone;
  why: string;
}

/** The outcome of selection. */
export interface ZoneSelection {
  /** In a stable order: by zone index (socket order), package before its DRAM: cpu:0, dram:0, cpu:1, dram:1. */
  measured: MeasuredZone[];
  leftOut: LeftOutZone[];
}

/** Selection options. */
export interface ZoneSelectionOptions {
  /**
   * Measure the psys (platform) zones instead of packages and DRAM. psys contains both, so the
   * two are never summed; off by default, as in the original.
   */
  usePsys?: boolean;
}

/** The domain a zone name stands for; `inside` for parts of a package. */
function classifyZoneName(name: string | undefined): RaplDomain | "inside" | "unknown" {
  if (name === undefined) return "unknown";
  if (name.startsWith("package")) return "package";
  if (name === "dram") return "dram";
  if (name === "psys") return "psys";
  if (name === "core" || name === "uncore") return "inside";
  return "unknown";
}

/** `package-0`, or `package-0/dram` for a subzone: what matches a zone across control types. */
function namePathOf(zone: PowercapZone, byId: Map<string, PowercapZone>): string {
  const parent = parentZoneId(zone);
  const parentName = parent === undefined ? undefined : byId.get(parent)?.name;
  return parentName === undefined ? String(zone.name) : `${parentName}/${String(zone.name)}`;
}

/** Picks the zones to measure among `zones` (from discoverZones). */
export function selectZones(zones: PowercapZone[], options: ZoneSelectionOptions = {}): ZoneSelection {
  const byId = new Map(zones.map((zone) => [zone.id, zone]));
  const namePath = (zone: PowercapZone): string => namePathOf(zone, byId);
  const msrNamePaths = new Set(zones.filter((z) => z.controlType === "intel-rapl").map(namePath));
  const hasPsys = zones.some((z) => classifyZoneName(z.name) === "psys");
  const usePsys = options.usePsys === true && hasPsys;

  const measured: MeasuredZone[] = [];
  const leftOut: LeftOutZone[] = [];
  const taken = new Set<string>();
  for (const zone of zones) {
    const domain = classifyZoneName(zone.name);
    if (zone.controlType === "intel-rapl-mmio" && msrNamePaths.has(namePath(zone))) {
      leftOut.push({ zone, why: `duplicate of the intel-rapl zone named ${namePath(zone)}` });
    } else if (domain === "inside") {
      leftOut.push({ zone, why: "part of its package, counted there" });
    } else if (domain === "unknown") {
      leftOut.push({ zone, why: zone.name === undefined ? "no readable name file" : "unknown domain" });
    } else if (domain === "psys" && !usePsys) {
      leftOut.push({ zone, why: "platform total, contains the packages and DRAM" });
    } else if (domain !== "psys" && usePsys) {
      leftOut.push({ zone, why: "inside psys (measuring psys)" });
    } else {
      const prefix = domain === "package" ? "cpu" : domain;
      let device = `${prefix}:${zone.index}`;
      if (taken.has(device)) device = zone.id.replace(/^intel-rapl/, prefix);
      taken.add(device);
      measured.push({ device, domain, zone });
    }
  }
  measured.sort(
    (a, b) =>
      a.zone.index - b.zone.index ||
      rank(a.domain) - rank(b.domain) ||
      compareControlTypes(a.zone.controlType, b.zone.controlType) ||
      (a.zone.subIndex ?? -1) - (b.zone.subIndex ?? -1),
  );
  return { measured, leftOut };
}

function rank(domain: RaplDomain): number {
  return domain === "package" ? 0 : domain === "dram" ? 1 : 2;
}

/**
 * The intel-rapl-mmio zone of the same name as an intel-rapl `zone` (`intel-rapl-mmio:0` for
 * `intel-rapl:0`, both `package-0`), or undefined. It is the same package's counter read through
 * MMIO instead of the MSR (reference/rapl.md: a duplicate by name), so it stands in for a zone
 * with no energy_uj better than its subzones, which miss what the package draws outside them.
 */
export function mmioTwin(zone: PowercapZone, zones: PowercapZone[]): PowercapZone | undefined {
  if (zone.controlType !== "intel-rapl" || zone.name === undefined) return undefined;
  const byId = new Map(zones.map((z) => [z.id, z]));
  const path = namePathOf(zone, byId);
  return zones.find((z) => z.controlType === "intel-rapl-mmio" && namePathOf(z, byId) === path);
}

/** The subzones that stand for a measured zone with no energy_uj of its own, and those that cannot. */
export interface SubzoneSum {
  /** Summed in the zone's place (core and uncore of a package). */
  summed: PowercapZone[];
  /** Measured as devices of their own (a package's DRAM is dram:N), so never added to the zone too. */
  measuredApart: MeasuredZone[];
}

/**
 * The subzones (`intel-rapl:N:M`) whose counters are summed for `zone` when its own energy_uj
 * does not exist. The original sums every subzone, DRAM included; here a subzone measured as a
 * device of its own (a package's DRAM, dram:N, which is outside the package) is left out of the
 * sum so that it is never counted twice, and the others (core, uncore) are summed.
 */
export function subzoneSum(zone: PowercapZone, zones: PowercapZone[], selection: ZoneSelection): SubzoneSum {
  const children = zones.filter((child) => parentZoneId(child) === zone.id);
  const apart = new Map(selection.measured.map((m) => [m.zone.id, m]));
  return {
    summed: children.filter((child) => !apart.has(child.id)),
    measuredApart: children.flatMap((child) => apart.get(child.id) ?? []),
  };
}
