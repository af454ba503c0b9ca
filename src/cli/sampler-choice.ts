// Which sampler the CLI uses. Its own thread is the cheapest (the main thread only waits for the
// child) and is what reading files (RAPL, /proc, hwmon) needs. A driver call (NVML through FFI)
// or an external tool (powermetrics) can hang where a file read cannot (files are opened
// O_NONBLOCK), so when such a backend may be used the CLI samples in a worker thread, whose
// boundary reads are time-boxed.
import { existsSync } from "node:fs";
import type { Component } from "../hardware/types.js";

/** Folders where distributions install libnvidia-ml.so.1. */
const NVML_DIRS = [
  "/usr/lib/x86_64-linux-gnu",
  "/usr/lib/aarch64-linux-gnu",
  "/usr/lib64",
  "/usr/lib",
  "/usr/local/nvidia/lib64",
];

/** True when a backend that may block in a call (NVML, powermetrics) could be used. */
export function mayBlockInDriver(
  components: readonly Component[],
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform = process.platform,
): boolean {
  if (env.CARBONTRACKER_POWERMETRICS || platform === "darwin") return true;
  if (!components.includes("gpu")) return false;
  if (env.CARBONTRACKER_NVML_LIBRARY) return true;
  return NVML_DIRS.some((dir) => existsSync(`${dir}/libnvidia-ml.so.1`));
}
