// Which sampler the CLI uses. Its own thread is the cheapest (the main thread only waits for the
// child) and is what reading files (RAPL, /proc, hwmon) needs. A driver call (NVML through FFI)
// or an external tool (powermetrics) can hang where a file read cannot (files are opened
// O_NONBLOCK), so when such a backend may be used the CLI samples in a worker thread, whose
// boundary reads are time-boxed.
import type { Component } from "../hardware/types.js";
import { DEFAULT_NVML_LIBRARY } from "../hardware/nvml/nvml-backend.js";
import { sharedLibraryMayLoad } from "../hardware/nvml/library-search.js";

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
