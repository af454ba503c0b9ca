// Ordered detection: for each component the first backend that opens wins, and every skip
// reason is kept. Adding hardware is one folder and one line in BACKENDS.
import type { Backend, Component, DetectionContext, PowerReader, ReaderNotice, SkipReason } from "./types.js";
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

/** What detection found: readers to sample, reasons for every backend skipped, notices. */
export interface Detection {
  readers: PowerReader[];
  skipped: SkipReason[];
  notices: ReaderNotice[];
}

/** Opens the first working backend of each requested component, keeping every skip reason. */
export async function detectReaders(
  components: readonly Component[],
  context: DetectionContext,
  backends: Record<Component, Backend[]> = BACKENDS,
): Promise<Detection> {
  const detection: Detection = { readers: [], skipped: [], notices: [] };
  for (const component of components) {
    for (const backend of backends[component]) {
      let result;
      try {
        result = await backend.open(context);
      } catch (error) {
        result = { skip: { backend: backend.id, component, reason: `failed to open: ${String(error)}` } };
      }
      detection.notices.push(...(result.notices ?? []));
      if ("reader" in result) {
        detection.readers.push(result.reader);
        break;
      }
      detection.skipped.push(result.skip);
    }
  }
  return detection;
}
