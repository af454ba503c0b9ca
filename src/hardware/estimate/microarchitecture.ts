// The CPU's microarchitecture, from what a VM still shows when the brand string hides the model
// ("Intel(R) Xeon(R) CPU @ 2.20GHz", "Intel(R) Xeon(R) Processor"): the CPUID family and model
// (Intel's and AMD's public model numbers, as the Linux kernel lists them in
// arch/x86/include/asm/intel-family.h), the Arm part, or a hypervisor's named CPU model.
import type { CcfMicroarchitecture } from "../../data/cpu-models/ccf-vcpu-watts.js";
import { ARM_PARTS } from "../../data/cpu-models/arm-parts.js";
import type { CpuInfo } from "./cpuinfo.js";

/** A microarchitecture and the CCF coefficients that stand for it. */
export interface Microarchitecture {
  name: string;
  ccf: CcfMicroarchitecture;
  /** False when CCF has no figures of its own for it and `ccf` is the nearest stand-in. */
  ccfOwn: boolean;
}

const own = (name: CcfMicroarchitecture): Microarchitecture => ({ name, ccf: name, ccfOwn: true });
const standIn = (name: string, ccf: CcfMicroarchitecture): Microarchitecture => ({
  name,
  ccf,
  ccfOwn: false,
});

/** Intel family 6 models (decimal). Newer servers stand in for Cascade Lake, newer clients for Coffee Lake. */
const INTEL_MODELS: Readonly<Record<number, Microarchitecture>> = {
  42: own("Sandy Bridge"),
  45: own("Sandy Bridge"),
  58: own("Ivy Bridge"),
  62: own("Ivy Bridge"),
  60: own("Haswell"),
  63: own("Haswell"),
  69: own("Haswell"),
  70: own("Haswell"),
  61: own("Broadwell"),
  71: own("Broadwell"),
  79: own("Broadwell"),
  86: own("Broadwell"),
  78: own("Skylake"),
  94: own("Skylake"),
  142: own("Coffee Lake"),
  158: own("Coffee Lake"),
  165: own("Coffee Lake"),
  166: own("Coffee Lake"),
  106: standIn("Ice Lake", "Cascade Lake"),
  108: standIn("Ice Lake", "Cascade Lake"),
  143: standIn("Sapphire Rapids", "Cascade Lake"),
  207: standIn("Emerald Rapids", "Cascade Lake"),
  173: standIn("Granite Rapids", "Cascade Lake"),
  175: standIn("Sierra Forest", "Cascade Lake"),
  125: standIn("Ice Lake", "Coffee Lake"),
  126: standIn("Ice Lake", "Coffee Lake"),
  140: standIn("Tiger Lake", "Coffee Lake"),
  141: standIn("Tiger Lake", "Coffee Lake"),
  151: standIn("Alder Lake", "Coffee Lake"),
  154: standIn("Alder Lake", "Coffee Lake"),
  183: standIn("Raptor Lake", "Coffee Lake"),
  186: standIn("Raptor Lake", "Coffee Lake"),
  191: standIn("Raptor Lake", "Coffee Lake"),
  170: standIn("Meteor Lake", "Coffee Lake"),
  189: standIn("Lunar Lake", "Coffee Lake"),
  197: standIn("Arrow Lake", "Coffee Lake"),
  198: standIn("Arrow Lake", "Coffee Lake"),
};

/** Model 85 is three server generations; the stepping tells them apart. */
function intelModel85(stepping: number | undefined): Microarchitecture {
  if (stepping === undefined || stepping <= 4) return own("Skylake");
  if (stepping <= 7) return own("Cascade Lake");
  return standIn("Cooper Lake", "Cascade Lake");
}

/** AMD families 17h (Zen, Zen 2), 19h (Zen 3, Zen 4) and 1Ah (Zen 5), by model range. */
function amdMicroarchitecture(family: number, model: number): Microarchitecture | undefined {
  if (family === 0x17) {
    return model < 0x30 ? own("EPYC 1st Gen") : own("EPYC 2nd Gen");
  }
  if (family === 0x19) {
    const zen4 = (model >= 0x10 && model <= 0x1f) || (model >= 0x60 && model <= 0x7f) || model >= 0xa0;
    return zen4 ? standIn("Zen 4", "EPYC 3rd Gen") : own("EPYC 3rd Gen");
  }
  if (family === 0x1a) return standIn("Zen 5", "EPYC 3rd Gen");
  return undefined;
}

/**
 * A hypervisor's named CPU models (QEMU's `-cpu Cascadelake-Server` prints "Intel Xeon Processor
 * (Cascadelake)"), as they read lower-cased with spaces taken out. Matched as substrings, not
 * regular expressions: this runs once per start, and V8 compiles each regular expression the
 * first time it is used (tens of microseconds apiece, a dozen here).
 */
const NAMED_MODELS: ReadonlyArray<readonly [string, Microarchitecture]> = [
  ["sandybridge", own("Sandy Bridge")],
  ["ivybridge", own("Ivy Bridge")],
  ["haswell", own("Haswell")],
  ["broadwell", own("Broadwell")],
  ["cascadelake", own("Cascade Lake")],
  ["skylake", own("Skylake")],
  ["cooperlake", standIn("Cooper Lake", "Cascade Lake")],
  ["icelake", standIn("Ice Lake", "Cascade Lake")],
  ["sapphirerapids", standIn("Sapphire Rapids", "Cascade Lake")],
  ["epyc-rome", own("EPYC 2nd Gen")],
  ["epyc-milan", own("EPYC 3rd Gen")],
  ["epyc-genoa", standIn("Zen 4", "EPYC 3rd Gen")],
];

/** The named model in a brand string ("Intel Xeon Processor (Ice Lake)"), if any. */
function namedModel(brand: string): Microarchitecture | undefined {
  const compact = brand.toLowerCase().replaceAll(" ", "");
  return NAMED_MODELS.find(([name]) => compact.includes(name))?.[1];
}

/** The microarchitecture /proc/cpuinfo reveals, or undefined when it reveals none. */
export function microarchitectureOf(info: CpuInfo): Microarchitecture | undefined {
  if (info.armImplementer && info.armPart) {
    const part = ARM_PARTS[`${info.armImplementer}:${info.armPart}`];
    return part ? { name: part.core, ccf: part.ccf, ccfOwn: part.ccfOwn } : undefined;
  }
  const named = info.brand ? namedModel(info.brand) : undefined;
  if (named) return named;
  if (info.family === undefined || info.model === undefined) return undefined;
  if (info.vendorId === "GenuineIntel" && info.family === 6) {
    return info.model === 85 ? intelModel85(info.stepping) : INTEL_MODELS[info.model];
  }
  if (info.vendorId === "AuthenticAMD" || info.vendorId === "HygonGenuine") {
    return amdMicroarchitecture(info.family, info.model);
  }
  return undefined;
}
