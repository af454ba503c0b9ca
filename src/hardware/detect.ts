// Ordered detection: for each component the first backend that opens wins, and every skip
// reason is kept (Kepler's rule) for the logs and `doctor`.
import type { Backend, Component, DetectionContext, PowerReader, ReaderNotice, SkipReason } from "./types.js";

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
  backends: Record<Component, Backend[]>,
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
