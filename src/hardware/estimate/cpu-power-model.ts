// The wattage model behind a CPU estimate, chosen from what the machine tells us, most specific
// first: the user's TDP; on bare metal the model's TDP x sockets; in a VM its share of the host
// (vCPUs / host threads x host TDP), else Cloud Carbon Footprint's per-vCPU figures for the
// microarchitecture; and a stated fallback when nothing is known.
import { CCF_SOURCE, CCF_UNKNOWN_VCPU_WATTS, CCF_VCPU_WATTS } from "../../data/cpu-models/ccf-vcpu-watts.js";
import { ARM_PARTS, altraReference } from "../../data/cpu-models/arm-parts.js";
import { cpuTableShortSource, cpuTableSource, type CpuTableEntry } from "../../data/cpu-models/cpu-table.js";
import type { Watts } from "../../units/index.js";
import type { CpuInfo } from "./cpuinfo.js";
import { matchCpuModel, tableEntry } from "./cpu-model.js";
import { microarchitectureOf, type Microarchitecture } from "./microarchitecture.js";
import type { VmVerdict } from "./vm-detect.js";

/**
 * TDP per logical CPU when the CPU is not in the table (W). Server and desktop parts sit near
 * 4-10 W per hardware thread (a 280 W 128-thread EPYC 2.2 W, a 65 W 8-thread desktop 8.1 W, a 125 W
 * 16-thread desktop 7.8 W); 7.5 W is a middle figure, stated wherever it is used.
 */
const FALLBACK_TDP_PER_LOGICAL_CPU_W = 7.5;

/** Which model the estimate uses. */
type EstimateKind = "user-tdp" | "table-tdp" | "fallback" | "vm-share" | "vm-ccf";

/** Power of the machine's (or VM's) CPUs as a straight line in utilisation, with its provenance. */
export interface CpuPowerModel {
  kind: EstimateKind;
  /** Power at 0 % and at 100 % utilisation (W). */
  idleW: Watts;
  maxW: Watts;
  vm: VmVerdict;
  /** Device name for logs: the brand string, else the Arm product or core. */
  deviceName: string;
  /** The table entry used, where one was. */
  matched?: CpuTableEntry;
  /** The brand string (or Arm product) the table does not know. */
  unmatched?: string;
  /** Why the table gave no TDP, in words, where it did not ("the CPU "X" is not in the CPU table"). */
  noTdp?: string;
  microarchitecture?: Microarchitecture;
  /** The figures behind maxW in words ("150 W TDP of Intel Xeon Gold 6226R x 2 sockets"). */
  how: string;
}

/** What the model is chosen from. */
export interface CpuModelInput {
  /** /proc/cpuinfo, when readable. */
  info: CpuInfo | undefined;
  /** Logical CPUs from /proc/stat (the VM's vCPUs). */
  logicalCpus: number;
  vm: VmVerdict;
  /** The user's TDP for all this machine's CPUs (W). */
  cpuTdp?: number;
}

const w = (watts: number): string => `${Number(watts.toFixed(2))} W`;

/** The Arm product a cloud sells on this core, else the core (or undefined off Arm). */
function armProductName(info: CpuInfo, vm: VmVerdict): { name: string; core: string } | undefined {
  if (!info.armImplementer || !info.armPart) return undefined;
  const part = ARM_PARTS[`${info.armImplementer}:${info.armPart}`];
  if (!part) return { name: `Arm CPU (implementer ${info.armImplementer}, part ${info.armPart})`, core: "" };
  const product = vm.cloud ? part.cloudProducts[vm.cloud] : undefined;
  return { name: product ?? part.bareMetalProduct ?? part.core, core: part.core };
}

function ccfModel(input: CpuModelInput, base: Omit<CpuPowerModel, "idleW" | "maxW" | "how" | "kind">) {
  const arch = base.microarchitecture;
  const watts = arch ? CCF_VCPU_WATTS[arch.ccf] : CCF_UNKNOWN_VCPU_WATTS;
  const whose = !arch
    ? "its average over AWS microarchitectures (the microarchitecture is unknown)"
    : !arch.ccfOwn
      ? `its figures for ${arch.ccf}, standing in for ${arch.name}, which it has none for`
      : arch.name === arch.ccf
        ? `its figures for ${arch.name}`
        : `its figures for ${arch.ccf} (${arch.name})`;
  const vcpus = input.logicalCpus;
  return {
    ...base,
    kind: "vm-ccf" as const,
    idleW: vcpus * watts.minW,
    maxW: vcpus * watts.maxW,
    how: `${vcpus} vCPU(s) x ${w(watts.minW)} to ${w(watts.maxW)} each from idle to full utilisation (Cloud Carbon Footprint's power per vCPU, ${whose})`,
  };
}

/** Chooses the model (pure: every fact comes in `input`). */
export function chooseCpuPowerModel(input: CpuModelInput): CpuPowerModel {
  const { info, vm } = input;
  const arm = info ? armProductName(info, vm) : undefined;
  const brand = info?.brand;
  const deviceName =
    brand ??
    (arm ? (arm.core && arm.core !== arm.name ? `${arm.name} (${arm.core})` : arm.name) : "Unknown CPU");
  const match = brand ? matchCpuModel(brand)?.entry : arm ? tableEntry(arm.name) : undefined;
  const base: Omit<CpuPowerModel, "idleW" | "maxW" | "how" | "kind"> = { vm, deviceName };
  const named = brand ?? arm?.name ?? "(no model name in /proc/cpuinfo)";
  if (match) base.matched = match;
  else base.unmatched = named;
  if (!match) base.noTdp = `the CPU "${named}" is not in the CPU table (${cpuTableShortSource()})`;
  else if (match.tdpW === undefined) base.noTdp = `the CPU "${named}" (${match.name}) has no published TDP`;
  const arch = info ? microarchitectureOf(info) : undefined;
  if (arch) base.microarchitecture = arch;

  if (input.cpuTdp !== undefined) {
    return {
      ...base,
      kind: "user-tdp",
      idleW: 0,
      maxW: input.cpuTdp,
      how: `${w(input.cpuTdp)} (cpuTdp / --cpu-tdp) x utilisation`,
    };
  }
  if (vm.vm) {
    if (match?.tdpW !== undefined && match.threads !== undefined) {
      const share = input.logicalCpus / match.threads;
      return {
        ...base,
        kind: "vm-share",
        idleW: 0,
        maxW: match.tdpW * share,
        how: `${input.logicalCpus} of the ${match.threads} threads of ${match.name} (${w(match.tdpW)} TDP) = ${w(match.tdpW * share)} x utilisation`,
      };
    }
    return ccfModel(input, base);
  }
  if (match?.tdpW !== undefined) {
    const sockets = info?.sockets ?? 1;
    const counted =
      info?.sockets !== undefined ? `${sockets} socket(s)` : "1 socket (/proc/cpuinfo names no physical id)";
    return {
      ...base,
      kind: "table-tdp",
      idleW: 0,
      maxW: match.tdpW * sockets,
      how: `${w(match.tdpW)} TDP of ${match.name} x ${counted} x utilisation`,
    };
  }
  if (arm && arm.name.startsWith("Ampere Altra")) {
    delete base.noTdp;
    const reference = tableEntry(altraReference(input.logicalCpus)) as CpuTableEntry;
    const perCore = (reference.tdpW as number) / (reference.threads as number);
    return {
      ...base,
      kind: "table-tdp",
      matched: reference,
      idleW: 0,
      maxW: perCore * input.logicalCpus,
      how: `${w(perCore)} per core of ${reference.name} (${w(reference.tdpW as number)} / ${reference.threads} cores; /proc/cpuinfo names no Altra model) x ${input.logicalCpus} cores x utilisation`,
    };
  }
  const maxW = FALLBACK_TDP_PER_LOGICAL_CPU_W * input.logicalCpus;
  return {
    ...base,
    kind: "fallback",
    idleW: 0,
    maxW,
    how: `the fallback of ${w(FALLBACK_TDP_PER_LOGICAL_CPU_W)} x ${input.logicalCpus} logical CPU(s) = ${w(maxW)} x utilisation`,
  };
}

/** What the estimate is, in a few words for the console's provenance note and doctor. */
function estimateLabel(model: CpuPowerModel): string {
  if (model.kind === "vm-share") return "VM estimate: this VM's share of the host CPU's TDP x utilisation";
  if (model.kind === "vm-ccf") return "VM estimate: Cloud Carbon Footprint's power per vCPU x utilisation";
  return "TDP x utilisation";
}

/** Facts for the JSONL `start` record's device (`tdp_w` kept: the power at 100 % utilisation). */
export function modelDetails(model: CpuPowerModel, procRoot: string): Record<string, unknown> {
  const isVm = model.kind === "vm-share" || model.kind === "vm-ccf";
  return {
    tdp_w: model.maxW,
    ...(model.idleW > 0 ? { idle_w: model.idleW } : {}),
    tdp_source: model.how,
    model: isVm
      ? `VM estimate: share of the host CPU x utilisation (${procRoot}/stat)`
      : `TDP x utilisation (${procRoot}/stat)`,
    estimate: model.kind,
    estimate_label: estimateLabel(model),
    cpu_model: model.matched?.name ?? null,
    cpu_table: cpuTableSource(),
    ...(model.unmatched !== undefined && !model.matched ? { unmatched_cpu: model.unmatched } : {}),
    ...(model.microarchitecture ? { microarchitecture: model.microarchitecture.name } : {}),
    ...(model.kind === "vm-ccf" ? { coefficients: CCF_SOURCE } : {}),
    vm: model.vm.vm,
    vm_evidence: model.vm.evidence,
  };
}
