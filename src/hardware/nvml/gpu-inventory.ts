// The GPUs this process can open, in NVML (PCI bus) order. Under a device cgroup NVML may count
// GPUs whose handle then fails with NO_PERMISSION: those are not ours and are left out quietly.
// A GPU whose handle fails with any other code (GPU_IS_LOST, INSUFFICIENT_POWER, IRQ_ISSUE...)
// is ours but broken: it keeps its slot, so the GPUs after it keep their CUDA indices.
import type { ReaderNotice } from "../types.js";
import { NVML_ERROR_NO_PERMISSION } from "./nvml-codes.js";
import type { NvmlApi, NvmlHandle } from "./nvml-library.js";

/** One physical GPU NVML lets us open. */
export interface InventoryGpu {
  /** NVML index (PCI bus order over every GPU NVML counts). */
  nvmlIndex: number;
  handle: NvmlHandle;
  /** `GPU-…`, or "" when NVML would not say. */
  uuid: string;
  /** Exactly as nvmlDeviceGetName reports it. */
  name: string;
}

/** A GPU of this process whose handle could not be had: never measured, but it holds its index. */
export interface UnopenedGpu {
  nvmlIndex: number;
  /** The failed call and its code, as a user reads it. */
  failure: string;
}

/** A GPU this process may use, opened or not, in NVML order: what CUDA numbers 0..n-1. */
export type GpuSlot = { gpu: InventoryGpu } | { unopened: UnopenedGpu };

/** The accessible GPUs, or why none could be listed. */
export type Inventory =
  { ok: true; slots: GpuSlot[]; count: number; notices: ReaderNotice[] } | { ok: false; reason: string };

/** Lists the GPUs NVML counts and lets this process open. */
export function readInventory(api: NvmlApi): Inventory {
  const count = api.deviceCount();
  if (!count.ok) return { ok: false, reason: `nvmlDeviceGetCount_v2 failed: ${api.describe(count.rc)}` };
  const slots: GpuSlot[] = [];
  const notices: ReaderNotice[] = [];
  for (let nvmlIndex = 0; nvmlIndex < count.value; nvmlIndex++) {
    const handle = api.handleByIndex(nvmlIndex);
    if (!handle.ok) {
      if (handle.rc !== NVML_ERROR_NO_PERMISSION) {
        const failure = `nvmlDeviceGetHandleByIndex_v2: ${api.describe(handle.rc)}`;
        slots.push({ unopened: { nvmlIndex, failure } });
        notices.push({
          level: "warning",
          message: `NVML GPU ${nvmlIndex} cannot be opened (${failure}): it is not measured.`,
        });
      }
      continue;
    }
    const name = api.name(handle.value);
    const uuid = api.uuid(handle.value);
    slots.push({
      gpu: {
        nvmlIndex,
        handle: handle.value,
        name: name.ok ? name.value : `NVIDIA GPU ${nvmlIndex}`,
        uuid: uuid.ok ? uuid.value : "",
      },
    });
  }
  return { ok: true, slots, count: count.value, notices };
}
