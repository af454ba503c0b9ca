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
 * The sampler of a tracker that opens its own (the library): in a worker thread, so a training
 * step that blocks the event loop loses no sample. With file backends only, the first readings
 * are taken on this thread while the worker starts (no wait for it); otherwise everything waits
 * for the worker, whose reads are time-boxed.
 */
export function startBackgroundSampler(
  config: SamplerConfig,
  onSample: SampleListener,
  backends: Record<Component, Backend[]>,
): Sampler {
  const handoff = mayBlockInDriver(config.components, config.context.env)
    ? undefined
    : HandoffSampler.tryStart(config, onSample, backends);
  return handoff ?? new WorkerSampler(config, onSample);
}
