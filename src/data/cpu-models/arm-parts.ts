// Arm servers print no brand string in /proc/cpuinfo: the core comes from `CPU implementer` and
// `CPU part` (MIDR fields, as the Linux kernel's arch/arm64/include/asm/cputype.h names them), the
// product from who runs it (the VM's DMI vendor).
import type { CcfMicroarchitecture } from "./ccf-vcpu-watts.js";

/** One Arm core design and the server products built on it. */
export interface ArmPart {
  /** The core, e.g. "Arm Neoverse N1". */
  core: string;
  /** The product on each cloud, by DMI sys_vendor keyword (lower case), where one is known. */
  cloudProducts: Readonly<Record<string, string>>;
  /** The bare-metal product family, where one is known (Ampere Altra for N1). */
  bareMetalProduct?: string;
  /** CCF coefficients that stand for it in a VM, and whether they are its own or a stand-in. */
  ccf: CcfMicroarchitecture;
  ccfOwn: boolean;
}

/** Parts keyed `implementer:part`, both as cpuinfo prints them (lower-case hex, `0x` prefix). */
export const ARM_PARTS: Readonly<Record<string, ArmPart>> = {
  "0x41:0xd08": {
    core: "Arm Cortex-A72",
    cloudProducts: { amazon: "AWS Graviton" },
    ccf: "Graviton2",
    ccfOwn: false,
  },
  "0x41:0xd0c": {
    core: "Arm Neoverse N1",
    cloudProducts: { amazon: "AWS Graviton2", google: "Ampere Altra", microsoft: "Ampere Altra" },
    bareMetalProduct: "Ampere Altra",
    ccf: "Graviton2",
    ccfOwn: true,
  },
  "0x41:0xd40": {
    core: "Arm Neoverse V1",
    cloudProducts: { amazon: "AWS Graviton3" },
    ccf: "Graviton2",
    ccfOwn: false,
  },
  "0x41:0xd49": {
    core: "Arm Neoverse N2",
    cloudProducts: { microsoft: "Microsoft Azure Cobalt 100" },
    ccf: "Graviton2",
    ccfOwn: false,
  },
  "0x41:0xd4f": {
    core: "Arm Neoverse V2",
    cloudProducts: { amazon: "AWS Graviton4", google: "Google Axion" },
    ccf: "Graviton2",
    ccfOwn: false,
  },
  "0xc0:0xac3": {
    core: "AmpereOne",
    cloudProducts: {},
    ccf: "Graviton2",
    ccfOwn: false,
  },
};

/**
 * The Altra SKU whose TDP per core stands for an Altra that /proc/cpuinfo does not name: the
 * 80-core Altra up to 80 cores, the 128-core Altra Max above.
 */
export function altraReference(cores: number): string {
  return cores > 80 ? "Ampere Altra Max M128-30" : "Ampere Altra Q80-30";
}
