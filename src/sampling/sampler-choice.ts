// Which sampler reads the hardware. Files (RAPL, /proc, hwmon) can be read on any thread at any
// time; a driver call (NVML through FFI) or an external tool (powermetrics) can hang where a file
// read cannot (files are opened O_NONBLOCK), so when such a backend may be used, sampling runs in
// a worker thread whose boundary reads are time-boxed, from the very first reading.
import type { Backend, Component } from "../hardware/types.js";
import { DEFAULT_NVML_LIBRARY } from "../hardware/nvml/nvml-backend.js";
import { sharedLibraryMayLoad } from "../hardware/nvml/library-search.js";
import { HandoffSampler } from "./handoff-sampler.js";
import type { Sampler, SampleListener, SamplerConfig } from "./sampler.js";
import { WorkerSampler } from "./worker-sampler.js";

/** True when a backend that may block in a call (NVML, powermetrics) could be used. */
export function mayBlockInDriver(
  components: readonly Component[],
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform = process.platform,
): boolean {
  if (env.CARBONTRACKER_POWERMETRICS || platform === "darwin") return true;
  if (!components.includes("gpu")) return false;
  if (env.CARBONTRACKER_NVML_LIBRARY) return true;
  return sharedLibraryMayLoad(DEFAULT_NVML_LIBRARY, { env, platform });
}

/**
 * The components a sampler may leave to its worker, to join once it has started: the GPU, where
 * it alone may need a driver and the run did not name its components (a named component that
 * is missing must fail the run at once, so every device is waited for then).
 */
export function lateComponents(
  components: readonly Component[],
  env: Record<string, string | undefined>,
  componentsExplicit: boolean,
): Component[] {
  if (componentsExplicit || !mayBlockInDriver(components, env)) return [];
  const others = components.filter((component) => component !== "gpu");
  return others.length < components.length && others.length > 0 && !mayBlockInDriver(others, env)
    ? ["gpu"]
    : [];
}

/**
 * The sampler of a tracker that opens its own (the library): in a worker thread, so a training
 * step that blocks the event loop loses no sample. File-based hardware is read on this thread
 * while the worker starts (no wait for it); a GPU read through its driver joins once the worker
 * has started (see HandoffSampler). With named components, or a driver for the CPU too
 * (powermetrics), everything waits for the worker, whose reads are time-boxed.
 */
export function startBackgroundSampler(
  config: SamplerConfig,
  onSample: SampleListener,
  backends: Record<Component, Backend[]>,
  componentsExplicit: boolean,
): Sampler {
  const late = lateComponents(config.components, config.context.env, componentsExplicit);
  const handoff =
    late.length > 0
      ? HandoffSampler.tryStart(config, onSample, backends, { components: late, workerStarts: "now" })
      : mayBlockInDriver(config.components, config.context.env)
        ? undefined
        : HandoffSampler.tryStart(config, onSample, backends);
  return handoff ?? new WorkerSampler(config, onSample);
}
