// What /proc/cpuinfo says about the CPU an estimate has to model: the brand string (x86), the
// core (Arm's implementer and part), the CPUID family and model, the sockets, and whether a
// hypervisor runs us.
import { join } from "node:path";
import { isDecimalDigits } from "../digits.js";
import { readTextNonBlocking } from "../read-text.js";

/** The facts of /proc/cpuinfo the estimate uses. */
export interface CpuInfo {
  /** `model name` of the first processor; undefined when absent or empty (Arm servers). */
  brand: string | undefined;
  /** `vendor_id` (`GenuineIntel`, `AuthenticAMD`). */
  vendorId?: string;
  /** CPUID `cpu family`, `model` and `stepping` (x86), decimal. */
  family?: number;
  model?: number;
  stepping?: number;
  /** Arm `CPU implementer` and `CPU part`, lower-case hex with `0x` (e.g. `0x41`, `0xd0c`). */
  armImplementer?: string;
  armPart?: string;
  /** Whether an x86 `flags` line lists `hypervisor` (CPUID leaf 1, ECX bit 31). */
  hypervisorFlag: boolean;
  /** `processor` entries: the logical CPUs this kernel sees (a VM's vCPUs). */
  logicalCpus: number;
  /** Distinct `physical id`s, or undefined when cpuinfo names none (Arm, some VMs). */
  sockets: number | undefined;
}

const HEX_DIGITS = "0123456789abcdef";

/** The value of lower-case hex digits ("41", "d0c"), or undefined. */
function hexValue(text: string): number | undefined {
  if (text.length === 0) return undefined;
  let n = 0;
  for (const c of text) {
    const digit = HEX_DIGITS.indexOf(c);
    if (digit < 0) return undefined;
    n = n * 16 + digit;
  }
  return n;
}

/** A decimal or `0x` hex field ("6", "0x41"), else undefined (checked by hand: see digits.ts). */
const toInt = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const lower = text.toLowerCase();
  if (lower.startsWith("0x")) return hexValue(lower.slice(2));
  return isDecimalDigits(text) ? Number(text) : undefined;
};

const hex = (text: string | undefined): string | undefined => {
  const n = toInt(text);
  return n === undefined ? undefined : `0x${n.toString(16)}`;
};

/** Parses the text of /proc/cpuinfo (any architecture; unknown lines are ignored). */
function parseCpuinfo(text: string): CpuInfo {
  const first = new Map<string, string>();
  const physicalIds = new Set<string>();
  let logicalCpus = 0;
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key === "processor") logicalCpus += 1;
    if (key === "physical id") physicalIds.add(value);
    if (!first.has(key)) first.set(key, value);
  }
  const info: CpuInfo = {
    brand: first.get("model name") || undefined,
    hypervisorFlag: (first.get("flags") ?? "").split(/\s+/).includes("hypervisor"),
    logicalCpus: Math.max(1, logicalCpus),
    sockets: physicalIds.size > 0 ? physicalIds.size : undefined,
  };
  const vendorId = first.get("vendor_id");
  if (vendorId) info.vendorId = vendorId;
  const family = toInt(first.get("cpu family"));
  const model = toInt(first.get("model"));
  const stepping = toInt(first.get("stepping"));
  if (family !== undefined) info.family = family;
  if (model !== undefined) info.model = model;
  if (stepping !== undefined) info.stepping = stepping;
  const implementer = hex(first.get("CPU implementer"));
  const part = hex(first.get("CPU part"));
  if (implementer) info.armImplementer = implementer;
  if (part) info.armPart = part;
  return info;
}

/** Reads and parses `<procRoot>/cpuinfo`; undefined when it cannot be read. */
export function readCpuinfo(procRoot: string): CpuInfo | undefined {
  try {
    return parseCpuinfo(readTextNonBlocking(join(procRoot, "cpuinfo")));
  } catch {
    return undefined;
  }
}
