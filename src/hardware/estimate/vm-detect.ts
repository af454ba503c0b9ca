// Whether we run in a virtual machine, and on whose cloud. x86 says so itself (the `hypervisor`
// CPUID flag in /proc/cpuinfo); Arm has no such flag, so there the SMBIOS (DMI) identity that
// the cloud writes for its VMs decides ("Amazon EC2" with product "c7g.xlarge", "Google",
// "Microsoft Corporation" / "Virtual Machine", "QEMU", ...).
import { join } from "node:path";
import { readTextNonBlocking } from "../read-text.js";
import type { CpuInfo } from "./cpuinfo.js";

/** Default DMI folder (DESIGN.md seam CARBONTRACKER_DMI_ROOT). */
const DMI_DEFAULT_ROOT = "/sys/class/dmi/id";

/** The DMI folder to read: CARBONTRACKER_DMI_ROOT, else the kernel's. */
export function dmiRootOf(env: Record<string, string | undefined>): string {
  return env.CARBONTRACKER_DMI_ROOT || DMI_DEFAULT_ROOT;
}

/** The machine's SMBIOS system identity. */
interface DmiIdentity {
  sysVendor: string;
  productName: string;
}

/** Why we believe we are (or are not) in a VM. */
export interface VmVerdict {
  vm: boolean;
  /** The evidence in words ("hypervisor flag in /proc/cpuinfo", "DMI: Amazon EC2 c7g.xlarge"). */
  evidence: string;
  /** The cloud's keyword (`amazon`, `google`, `microsoft`), where DMI names one. */
  cloud?: string;
}

/** Reads sys_vendor and product_name under `root`; undefined when there is no DMI. */
function readDmi(root: string): DmiIdentity | undefined {
  const read = (name: string): string => {
    try {
      return readTextNonBlocking(join(root, name)).trim();
    } catch {
      return "";
    }
  };
  const sysVendor = read("sys_vendor");
  const productName = read("product_name");
  return sysVendor || productName ? { sysVendor, productName } : undefined;
}

const VIRTUAL_VENDORS = /qemu|xen|vmware|innotek|parallels|red hat|nutanix|openstack|bochs|alibaba|tencent/i;
const VIRTUAL_PRODUCTS = /kvm|virtual|hvm domu|bochs|vserver|droplet/i;

/** The cloud a DMI vendor names, as the keys of ARM_PARTS' cloudProducts. */
function cloudOf(sysVendor: string): string | undefined {
  if (/amazon/i.test(sysVendor)) return "amazon";
  if (/google/i.test(sysVendor)) return "google";
  if (/microsoft/i.test(sysVendor)) return "microsoft";
  return undefined;
}

/** What DMI says: a VM unless it is a cloud's bare-metal instance (AWS `*.metal`). */
function vmFromDmi(dmi: DmiIdentity): VmVerdict {
  const text = `DMI: ${[dmi.sysVendor, dmi.productName].filter(Boolean).join(" ")}`;
  const cloud = cloudOf(dmi.sysVendor);
  const metal = /\.metal|metal$/i.test(dmi.productName);
  const vm =
    !metal &&
    (cloud !== undefined || VIRTUAL_VENDORS.test(dmi.sysVendor) || VIRTUAL_PRODUCTS.test(dmi.productName));
  return { vm, evidence: text, ...(cloud ? { cloud } : {}) };
}

/**
 * The verdict for this machine. x86 trusts its CPUID flag (every common hypervisor sets it);
 * DMI is read only for Arm, which has none, so a fake x86 /proc never meets the host's DMI.
 */
export function detectVm(info: CpuInfo, dmiRoot: string): VmVerdict {
  if (info.hypervisorFlag) return { vm: true, evidence: "hypervisor flag in /proc/cpuinfo" };
  if (!info.armImplementer) return { vm: false, evidence: "no hypervisor flag in /proc/cpuinfo" };
  const dmi = readDmi(dmiRoot);
  if (!dmi) return { vm: false, evidence: `Arm CPU and no DMI identity in ${dmiRoot}` };
  return vmFromDmi(dmi);
}
