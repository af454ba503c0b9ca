// Which GPUs a run measures, in the order of the rules users already rely on:
// CUDA_VISIBLE_DEVICES, else SLURM_STEP_GPUS / SLURM_JOB_GPUS, else (devicesByPid) the GPUs
// running a process of the tracked tree, else every GPU NVML lets us open.
import type { DetectionContext, ReaderNotice } from "../types.js";
import type { GpuSlot, InventoryGpu, UnopenedGpu } from "./gpu-inventory.js";
import type { NvmlApi, NvmlHandle } from "./nvml-library.js";
import { processTree } from "./process-tree.js";

/** A physical GPU chosen for measurement, with the MIG instances that led to it. */
export interface SelectedGpu {
  gpu: InventoryGpu;
  /** MIG UUIDs the user selected on this GPU (measured through the whole GPU). */
  migInstances: string[];
}

/** The GPUs to measure and how they were chosen. */
export interface Selection {
  /** The rule that applied, as a user would write it (`CUDA_VISIBLE_DEVICES=0,2`, `all GPUs`). */
  rule: string;
  gpus: SelectedGpu[];
  notices: ReaderNotice[];
  /** Why nothing is selected, when nothing is. */
  emptyReason?: string;
}

/** An entry's GPU; a GPU of ours that could not be opened (skipped alone); or why the entry is invalid. */
type Resolved = { gpu: InventoryGpu; mig?: string } | { unopened: UnopenedGpu } | { error: string };

function nvmlIndexOf(slot: GpuSlot): number {
  return "gpu" in slot ? slot.gpu.nvmlIndex : slot.unopened.nvmlIndex;
}

function openedGpus(slots: GpuSlot[]): InventoryGpu[] {
  return slots.flatMap((slot) => ("gpu" in slot ? [slot.gpu] : []));
}

function uuidOf(api: NvmlApi, handle: NvmlHandle): string | undefined {
  const uuid = api.uuid(handle);
  return uuid.ok ? uuid.value : undefined;
}

function byUuidPrefix(gpus: InventoryGpu[], prefix: string): Resolved {
  const lower = prefix.toLowerCase();
  const matches = gpus.filter((g) => g.uuid !== "" && g.uuid.toLowerCase().startsWith(lower));
  if (matches.length === 1 && matches[0]) return { gpu: matches[0] };
  return { error: matches.length === 0 ? "no GPU has this UUID" : "the UUID prefix matches several GPUs" };
}

function parentOfMig(api: NvmlApi, gpus: InventoryGpu[], mig: string): Resolved {
  // Drivers before R470 named MIG devices MIG-GPU-<gpu uuid>/<gi>/<ci>.
  const legacy = /^MIG-(GPU-[^/]+)\/\d+\/\d+$/i.exec(mig);
  if (legacy?.[1]) {
    const parent = byUuidPrefix(gpus, legacy[1]);
    return "gpu" in parent ? { gpu: parent.gpu, mig } : parent;
  }
  const exact = api.handleByUuid(mig);
  if (exact.ok) {
    const isMig = api.isMigHandle(exact.value);
    const parent =
      isMig.ok && isMig.value ? api.migParent(exact.value) : { ok: true as const, value: exact.value };
    const parentUuid = parent.ok ? uuidOf(api, parent.value) : undefined;
    const gpu = gpus.find((g) => parentUuid !== undefined && g.uuid === parentUuid);
    if (gpu) return { gpu, mig };
  }
  // CUDA accepts unique prefixes: compare with every MIG instance of every GPU.
  const lower = mig.toLowerCase();
  const found: { gpu: InventoryGpu; uuid: string }[] = [];
  for (const gpu of gpus) {
    const max = api.maxMigDeviceCount(gpu.handle);
    for (let i = 0; max.ok && i < max.value; i++) {
      const instance = api.migHandleByIndex(gpu.handle, i);
      const uuid = instance.ok ? uuidOf(api, instance.value) : undefined;
      if (uuid?.toLowerCase().startsWith(lower)) found.push({ gpu, uuid });
    }
  }
  if (found.length === 1 && found[0]) return { gpu: found[0].gpu, mig: found[0].uuid };
  return {
    error: found.length === 0 ? "no MIG instance has this UUID" : "the prefix matches several MIG instances",
  };
}

function resolveEntry(
  api: NvmlApi,
  gpus: InventoryGpu[],
  entry: string,
  indexOf: (index: number) => GpuSlot | undefined,
): Resolved {
  if (/^\d+$/.test(entry)) return indexOf(Number(entry)) ?? { error: "no GPU has this index" };
  if (/^MIG-/i.test(entry)) return parentOfMig(api, gpus, entry);
  if (/^GPU-/i.test(entry)) return byUuidPrefix(gpus, entry);
  return { error: "not an index, GPU-UUID or MIG-UUID" };
}

function splitList(value: string): string[] {
  return value.split(",").map((item) => item.trim());
}

class Picker {
  readonly picked: SelectedGpu[] = [];
  readonly notices: ReaderNotice[] = [];

  add(resolved: { gpu: InventoryGpu; mig?: string }): void {
    let entry = this.picked.find((p) => p.gpu.nvmlIndex === resolved.gpu.nvmlIndex);
    if (!entry) {
      entry = { gpu: resolved.gpu, migInstances: [] };
      this.picked.push(entry);
    }
    if (resolved.mig && !entry.migInstances.includes(resolved.mig)) entry.migInstances.push(resolved.mig);
  }

  /** An entry naming a GPU of ours that cannot be opened: only that entry is lost. */
  skip(variable: string, entry: string, { nvmlIndex, failure }: UnopenedGpu): void {
    this.notices.push({
      level: "warning",
      message: `${variable} entry '${entry}' is skipped: NVML GPU ${nvmlIndex} cannot be opened (${failure}). The other entries keep their GPUs.`,
    });
  }
}

function fromCudaVisibleDevices(
  api: NvmlApi,
  slots: GpuSlot[],
  value: string,
  env: DetectionContext["env"],
): Selection {
  const rule = `CUDA_VISIBLE_DEVICES=${value}`;
  if (value.trim() === "") {
    return {
      rule,
      gpus: [],
      notices: [],
      emptyReason: "CUDA_VISIBLE_DEVICES is set and empty: no GPU is visible to this job",
    };
  }
  const gpus = openedGpus(slots);
  const picker = new Picker();
  const entries = splitList(value);
  let usesIndices = false;
  for (const [position, entry] of entries.entries()) {
    // CUDA numbers the GPUs this process may use, in PCI order with CUDA_DEVICE_ORDER=PCI_BUS_ID:
    // one that NVML cannot open still holds its number (slots), so the ones after it keep theirs.
    const resolved = resolveEntry(api, gpus, entry, (i) => slots[i]);
    if ("unopened" in resolved) {
      usesIndices = true;
      picker.skip("CUDA_VISIBLE_DEVICES", entry, resolved.unopened);
      continue;
    }
    if ("error" in resolved) {
      const hidden = entries.slice(position + 1);
      picker.notices.push({
        level: "warning",
        message: `CUDA_VISIBLE_DEVICES entry '${entry}' is ignored (${resolved.error})${hidden.length > 0 ? `, and so is every entry after it as CUDA does (${hidden.join(",")})` : ""}.`,
      });
      break;
    }
    usesIndices ||= /^\d+$/.test(entry);
    picker.add(resolved);
  }
  const models = new Set(gpus.map((g) => g.name));
  if (usesIndices && models.size > 1 && env.CUDA_DEVICE_ORDER !== "PCI_BUS_ID") {
    picker.notices.push({
      level: "warning",
      message: `CUDA_VISIBLE_DEVICES indices are read in PCI bus order, but CUDA orders different GPU models fastest first unless CUDA_DEVICE_ORDER=PCI_BUS_ID: set it so the GPUs measured are the GPUs used.`,
    });
  }
  return finish(rule, picker, `${rule} selects no GPU that NVML can open`);
}

function fromSlurm(api: NvmlApi, slots: GpuSlot[], name: string, value: string): Selection {
  const rule = `${name}=${value}`;
  const gpus = openedGpus(slots);
  const picker = new Picker();
  const entries = splitList(value).filter((e) => e !== "");
  const allIndices = entries.every((e) => /^\d+$/.test(e));
  // SLURM ids are global; under ConstrainDevices NVML sees only the job's GPUs, renumbered. A GPU
  // of ours that cannot be opened counts among them, or a lost one would make the rest look like the job's.
  if (allIndices && slots.length <= entries.length) {
    for (const gpu of gpus) picker.add({ gpu });
    if (gpus.length < entries.length) {
      picker.notices.push({
        level: "warning",
        message: `${rule} names ${entries.length} GPU(s) but NVML lets this process open ${gpus.length}: measuring those.`,
      });
    }
    return finish(rule, picker, `${rule}: NVML lets this process open no GPU`);
  }
  for (const entry of entries) {
    const resolved = resolveEntry(api, gpus, entry, (i) => slots.find((s) => nvmlIndexOf(s) === i));
    if ("unopened" in resolved) {
      picker.skip(name, entry, resolved.unopened);
    } else if ("error" in resolved) {
      picker.notices.push({
        level: "warning",
        message: `${name} entry '${entry}' is ignored (${resolved.error}).`,
      });
    } else {
      picker.add(resolved);
    }
  }
  return finish(rule, picker, `${rule} selects no GPU that NVML can open`);
}

function fromProcessTree(api: NvmlApi, gpus: InventoryGpu[], context: DetectionContext): Selection {
  const procRoot = context.env.CARBONTRACKER_PROC_ROOT ?? "/proc";
  const tree = processTree(procRoot, context.pid);
  const picker = new Picker();
  for (const gpu of gpus) {
    const pids: number[] = [];
    for (const kind of ["compute", "graphics"] as const) {
      const list = api.processes(gpu.handle, kind);
      if (list.ok) pids.push(...list.value.map((p) => p.pid));
      else {
        picker.notices.push({
          level: "warning",
          message: `The ${kind} processes of GPU ${gpu.nvmlIndex} (${gpu.name}) cannot be listed (${api.describe(list.rc)}).`,
        });
      }
    }
    if (pids.some((pid) => tree.has(pid))) picker.add({ gpu });
  }
  const rule = `devicesByPid (process ${context.pid} and ${tree.size - 1} descendant(s))`;
  if (picker.picked.length === 0 && gpus.length > 0) {
    for (const gpu of gpus) picker.add({ gpu });
    picker.notices.push({
      level: "warning",
      message: `devicesByPid: no GPU runs a process of the tracked tree (process ${context.pid}) yet, so all ${gpus.length} GPU(s) are measured. NVML lists host PIDs: inside a container without --pid=host they never match.`,
    });
  }
  return finish(rule, picker, "no GPU");
}

function finish(rule: string, picker: Picker, emptyReason: string): Selection {
  const selection: Selection = { rule, gpus: picker.picked, notices: picker.notices };
  if (picker.picked.length === 0) selection.emptyReason = emptyReason;
  for (const { gpu, migInstances } of picker.picked) {
    if (migInstances.length === 0) continue;
    selection.notices.push({
      level: "warning",
      message: `MIG instance(s) ${migInstances.join(", ")} are measured through their parent GPU ${gpu.name} (${gpu.uuid}): NVML reports power and energy per physical GPU, so the figures include every instance on it.`,
    });
  }
  return selection;
}

/** Applies the selection rules to the GPUs of this process (`slots`, from readInventory). */
export function selectGpus(api: NvmlApi, slots: GpuSlot[], context: DetectionContext): Selection {
  const env = context.env;
  const cuda = env.CUDA_VISIBLE_DEVICES;
  if (cuda !== undefined) return fromCudaVisibleDevices(api, slots, cuda, env);
  for (const name of ["SLURM_STEP_GPUS", "SLURM_JOB_GPUS"] as const) {
    const value = env[name]?.trim();
    if (value) return fromSlurm(api, slots, name, value);
  }
  const gpus = openedGpus(slots);
  if (context.devicesByPid) return fromProcessTree(api, gpus, context);
  const picker = new Picker();
  for (const gpu of gpus) picker.add({ gpu });
  return finish("all GPUs", picker, "NVML reports no GPU this process can open");
}
