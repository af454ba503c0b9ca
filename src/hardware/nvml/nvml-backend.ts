// The NVML backend: loads the library named by CARBONTRACKER_NVML_LIBRARY, picks the GPUs by
// the selection rules, checks what each can report and opens an NvmlReader over them. Every
// way of not opening is a skip reason, never a throw.
import type { Backend, DetectionContext, OpenResult, ReaderNotice, SkipReason } from "../types.js";
import { readInventory } from "./gpu-inventory.js";
import { selectGpus, type SelectedGpu } from "./gpu-selection.js";
import { acquireNvml, unloadableNvmlReason, type AcquireResult, type NvmlApi } from "./nvml-library.js";
import { NvmlReader, timedCounterRead, type GpuChannelInit } from "./nvml-reader.js";

/** The library name the NVIDIA driver installs (not the CUDA toolkit). */
export const DEFAULT_NVML_LIBRARY = "libnvidia-ml.so.1";

/** How to get the library, said with every skip for a library that does not load (and by doctor). */
export const NVML_INSTALL_FIX =
  "Install the NVIDIA driver (it ships libnvidia-ml.so.1), or set CARBONTRACKER_NVML_LIBRARY to the library's path.";

/** Injected world of the backend: the clock (Unix ms) that starts the integrals. */
export interface NvmlBackendOptions {
  now?: () => number;
}

/** The library to load: CARBONTRACKER_NVML_LIBRARY, else the driver's soname. */
export function nvmlLibraryOf(env: Record<string, string | undefined>): string {
  return env.CARBONTRACKER_NVML_LIBRARY || DEFAULT_NVML_LIBRARY;
}

function skip(reason: string, fix?: string): SkipReason {
  const result: SkipReason = { backend: "nvml", component: "gpu", reason };
  if (fix !== undefined) result.fix = fix;
  return result;
}

/** Unique device names: NVML's name, with the NVML index only where two GPUs share a name. */
function deviceNames(selected: SelectedGpu[]): string[] {
  const counts = new Map<string, number>();
  for (const { gpu } of selected) counts.set(gpu.name, (counts.get(gpu.name) ?? 0) + 1);
  return selected.map(({ gpu }) =>
    (counts.get(gpu.name) ?? 0) > 1 ? `${gpu.name} (GPU ${gpu.nvmlIndex})` : gpu.name,
  );
}

function channelFor(
  api: NvmlApi,
  selected: SelectedGpu,
  device: string,
  rule: string,
  driver: string | undefined,
  notices: ReaderNotice[],
): GpuChannelInit | undefined {
  const { gpu, migInstances } = selected;
  const { energy, callMs: counterCallMs } = timedCounterRead(api, gpu.handle);
  const power = api.powerMw(gpu.handle);
  if (!energy.ok && !power.ok) {
    notices.push({
      level: "warning",
      message: `GPU ${gpu.name} (${gpu.uuid || `NVML index ${gpu.nvmlIndex}`}) reports neither an energy counter (nvmlDeviceGetTotalEnergyConsumption: ${api.describe(energy.rc)}) nor power (nvmlDeviceGetPowerUsage: ${api.describe(power.rc)}): it is left out of the measurement, not counted as zero.`,
    });
    return undefined;
  }
  const limit = api.powerLimitMw(gpu.handle);
  const mode = energy.ok ? "counter" : "sampled";
  const provenance = mode;
  const details: Record<string, unknown> = {
    uuid: gpu.uuid,
    nvml_index: gpu.nvmlIndex,
    power_limit_w: limit.ok ? limit.value / 1000 : null,
    provenance,
    energy_source:
      mode === "counter"
        ? "nvmlDeviceGetTotalEnergyConsumption (mJ counter)"
        : "nvmlDeviceGetPowerUsage (mW) integrated over time",
    cross_check: mode === "counter" && power.ok ? "nvmlDeviceGetPowerUsage (mW) integrated over time" : null,
    selected_by: rule,
    library: api.path,
  };
  if (driver !== undefined) details.driver_version = driver;
  if (migInstances.length > 0) details.mig_instances = migInstances;
  const init: GpuChannelInit = {
    gpu,
    description: { component: "gpu", device, name: gpu.name, provenance, details },
    mode,
    crossCheck: mode === "counter" && power.ok,
    counterCallMs,
  };
  if (energy.ok) init.baselineMj = energy.value;
  if (limit.ok && limit.value > 0) init.powerLimitW = limit.value / 1000;
  return init;
}

/** Opens a reader over NVML once it is acquired (through koffi, or the CLI's NVML proxy). */
function openAcquired(acquired: AcquireResult, context: DetectionContext, nowMs: () => number): OpenResult {
  if (!acquired.ok) return { skip: skip(acquired.reason, NVML_INSTALL_FIX) };
  const { session } = acquired;
  const api = session.api;
  try {
    const inventory = readInventory(api);
    if (!inventory.ok) {
      session.release();
      return { skip: skip(inventory.reason) };
    }
    const notices = [...inventory.notices];
    const selection = selectGpus(api, inventory.slots, context);
    notices.push(...selection.notices);
    if (selection.gpus.length === 0) {
      session.release();
      return { skip: skip(selection.emptyReason ?? "no GPU selected"), notices };
    }
    const driverVersion = api.driverVersion();
    const driver = driverVersion.ok ? driverVersion.value : undefined;
    const names = deviceNames(selection.gpus);
    const channels: GpuChannelInit[] = [];
    selection.gpus.forEach((selected, i) => {
      const channel = channelFor(
        api,
        selected,
        names[i] ?? selected.gpu.name,
        selection.rule,
        driver,
        notices,
      );
      if (channel) channels.push(channel);
    });
    if (channels.length === 0) {
      session.release();
      return { skip: skip("none of the selected GPUs reports an energy counter or power"), notices };
    }
    const reader = new NvmlReader(session, channels, nowMs());
    const counted = (mode: string) =>
      channels.filter((c) => c.mode === mode).map((c) => c.description.device);
    const parts = [
      counted("counter").length > 0 ? `energy counter: ${counted("counter").join(", ")}` : "",
      counted("sampled").length > 0 ? `sampled power: ${counted("sampled").join(", ")}` : "",
    ].filter((p) => p !== "");
    notices.push({
      level: "info",
      message: `NVML${driver ? ` ${driver}` : ""}: GPU(s) chosen by ${selection.rule}; ${parts.join("; ")}.`,
    });
    return { reader, notices };
  } catch (error) {
    session.release();
    return {
      skip: skip(`NVML failed while opening: ${error instanceof Error ? error.message : String(error)}`),
    };
  }
}

/**
 * The NVML backend over NVML already acquired (the CLI's NVML proxy, initialised): it opens at
 * once. Its first open takes the session; a later one (there is none in a run) finds it taken.
 */
export function nvmlBackendOver(acquired: AcquireResult, options: NvmlBackendOptions = {}): Backend {
  const now = options.now ?? Date.now;
  let taken = false;
  return {
    id: "nvml",
    component: "gpu",
    open: (context) => {
      if (taken) return { skip: skip("the NVML session was already opened") };
      taken = true;
      return openAcquired(acquired, context, now);
    },
  };
}

/** Builds the NVML backend with an injected clock (tests); `nvmlBackend` uses Date.now. */
export function createNvmlBackend(options: NvmlBackendOptions = {}): Backend {
  const now = options.now ?? Date.now;
  return {
    id: "nvml",
    component: "gpu",
    // A library the loader cannot find is a skip at once, so detection need not wait (see detectReadersNow).
    open: (context) => {
      const unloadable = unloadableNvmlReason(nvmlLibraryOf(context.env));
      return unloadable
        ? { skip: skip(unloadable, NVML_INSTALL_FIX) }
        : acquireNvml(nvmlLibraryOf(context.env)).then((acquired) => openAcquired(acquired, context, now));
    },
  };
}

/** NVIDIA GPUs through NVML, first in line for the GPU component after the simulated GPU. */
export const nvmlBackend: Backend = createNvmlBackend();
