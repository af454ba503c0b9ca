// The RAPL energy files as a user meets them: which exist, their mode and owner, and whether
// this process can read them; plus the fix for each way they can fail.
import { accessSync, constants, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ContainerHints } from "./system-facts.js";
import type { DoctorCheck } from "./report-model.js";
import { groupName, userName } from "./system-accounts.js";

/** A RAPL zone directory name: `intel-rapl:0`, `intel-rapl:0:1`, `intel-rapl-mmio:0`. */
const RAPL_ZONE_ENTRY = /^intel-rapl(?:-mmio)?:\d+(?::\d+)*$/;

/** One energy_uj file as found. */
export interface EnergyFile {
  zone: string;
  /** Contents of the zone's `name` file, when readable. */
  name: string | undefined;
  path: string;
  /** Permission bits (e.g. 0o400). */
  mode: number;
  uid: number;
  gid: number;
  readable: boolean;
}

/** `-r--r-----` for a mode's permission bits. */
function modeString(mode: number): string {
  const bits = "rwxrwxrwx";
  let out = "-";
  for (let i = 0; i < 9; i++) out += mode & (1 << (8 - i)) ? bits[i] : "-";
  return out;
}

/** Every zone's energy_uj under `powercapRoot` (flat class folder), sorted by zone; [] when none. */
export function listEnergyFiles(powercapRoot: string): EnergyFile[] {
  let entries: string[];
  try {
    entries = readdirSync(powercapRoot);
  } catch {
    return [];
  }
  const files: EnergyFile[] = [];
  for (const zone of entries.filter((e) => RAPL_ZONE_ENTRY.test(e)).sort(compareZones)) {
    const path = join(powercapRoot, zone, "energy_uj");
    let stat;
    try {
      stat = statSync(path);
    } catch {
      continue;
    }
    let name: string | undefined;
    try {
      name = readFileSync(join(powercapRoot, zone, "name"), "utf8").trim();
    } catch {
      name = undefined;
    }
    let readable = true;
    try {
      accessSync(path, constants.R_OK);
    } catch {
      readable = false;
    }
    files.push({ zone, name, path, mode: stat.mode & 0o777, uid: stat.uid, gid: stat.gid, readable });
  }
  return files;
}

function compareZones(a: string, b: string): number {
  const key = (z: string) => z.split(":").map((p, i) => (i === 0 ? p : p.padStart(4, "0")));
  return key(a).join(":").localeCompare(key(b).join(":"));
}

/** Whether `powercapRoot` exists as a folder. */
function folderExists(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The checks on RAPL files, with fixes for a missing tree, a container, and root-only files. */
export function raplFileChecks(
  powercapRoot: string,
  systemRoot: string,
  container: ContainerHints,
  uid: number | undefined,
): DoctorCheck[] {
  if (!folderExists(powercapRoot)) {
    return [
      {
        label: "RAPL files",
        status: "warn",
        detail: `no powercap folder at ${powercapRoot}`,
        fix: container.inContainer
          ? "This looks like a container: give it the host's sysfs read-only, e.g. docker run -v /sys:/host/sys:ro -e CARBONTRACKER_POWERCAP_ROOT=/host/sys/class/powercap ..."
          : "Load the RAPL driver (sudo modprobe intel_rapl_msr; AMD Zen needs Linux 5.8 or newer); virtual machines usually expose no RAPL.",
      },
    ];
  }
  const files = listEnergyFiles(powercapRoot);
  if (files.length === 0) {
    return [
      {
        label: "RAPL files",
        status: "warn",
        detail: `no intel-rapl zone with an energy_uj file under ${powercapRoot}`,
        fix: container.inContainer
          ? "The container's sysfs lacks the host's RAPL zones: mount the host's /sys read-only and set CARBONTRACKER_POWERCAP_ROOT (e.g. -v /sys:/host/sys:ro -e CARBONTRACKER_POWERCAP_ROOT=/host/sys/class/powercap)."
          : "Load the RAPL driver (sudo modprobe intel_rapl_msr); this CPU or kernel may not expose RAPL.",
      },
    ];
  }
  const who = uid === undefined ? "this user" : `uid ${uid}`;
  return files.map((file) => {
    const owner = `${userName(systemRoot, file.uid)}:${groupName(systemRoot, file.gid)}`;
    const label = `${file.zone}${file.name ? ` (${file.name})` : ""} energy_uj`;
    const detail = `${modeString(file.mode)} ${owner} ${file.path}: ${file.readable ? "readable" : `not readable by ${who}`}`;
    if (file.readable) return { label, status: "ok" as const, detail };
    return {
      label,
      status: "warn" as const,
      detail,
      fix: `sudo carbontracker doctor --fix (lets group carbontracker read the counters, persistently); one-off until reboot: sudo chmod o+r ${file.path}`,
    };
  });
}
