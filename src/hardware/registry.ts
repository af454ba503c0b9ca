// The concrete backends, in the order they are tried. Adding hardware is one folder and one
// line here. Only the composition roots (cli/, the sampler thread) import this file: the rest
// of the code gets the backends handed in.
import type { Backend, Component } from "./types.js";
import { simulatedCpuBackend, simulatedGpuBackend } from "./simulated/simulated-reader.js";
import { estimateCpuBackend } from "./estimate/estimate-reader.js";
import { powermetricsCpuBackend, powermetricsGpuBackend } from "./powermetrics/powermetrics-reader.js";
import { amdgpuBackend } from "./amdgpu/amdgpu-reader.js";
import { raplBackend } from "./rapl/rapl-backend.js";
import { nvmlBackend } from "./nvml/nvml-backend.js";

/** Backends in the order they are tried, per component. The estimate comes last for the CPU. */
export const BACKENDS: Record<Component, Backend[]> = {
  cpu: [simulatedCpuBackend, raplBackend, powermetricsCpuBackend, estimateCpuBackend],
  gpu: [simulatedGpuBackend, nvmlBackend, amdgpuBackend, powermetricsGpuBackend],
};
