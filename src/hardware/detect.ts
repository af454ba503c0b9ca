// Ordered detection: for each component the first backend that opens wins, and every skip
// reason is kept (Kepler's rule) for the logs and `doctor`.
import type {
  Backend,
  Component,
  DetectionContext,
  OpenResult,
  PowerReader,
  ReaderNotice,
  SkipReason,
} from "./types.js";

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
  return excludeOverlaps(await openReaders(components, context, backends));
}

/**
 * Detects each component on its own (doctor: each diagnosis keeps its own skips and notices),
 * then drops what a run detecting them together would: each reader's devices are checked
 * against the readers of all of them.
 */
export async function detectEachComponent(
  components: readonly Component[],
  context: DetectionContext,
  backends: Record<Component, Backend[]>,
): Promise<Detection[]> {
  const detections: Detection[] = [];
  for (const component of components) detections.push(await openReaders([component], context, backends));
  const pool = detections.flatMap((detection) => detection.readers);
  for (const detection of detections) excludeOverlaps(detection, pool);
  return detections;
}

/** The first working backend of each component, opened; overlaps not yet excluded. */
async function openReaders(
  components: readonly Component[],
  context: DetectionContext,
  backends: Record<Component, Backend[]>,
): Promise<Detection> {
  const detection: Detection = { readers: [], skipped: [], notices: [] };
  for (const component of components) {
    for (const backend of backends[component]) {
      if (record(detection, await opened(backend, component, context))) break;
    }
  }
  return detection;
}

/**
 * detectReaders without waiting: undefined (and nothing left open) as soon as a backend would
 * have to be waited for (NVML or powermetrics actually present). The library detects this way
 * on its own thread so its first reading need not wait for the sampler worker to start.
 */
export function detectReadersNow(
  components: readonly Component[],
  context: DetectionContext,
  backends: Record<Component, Backend[]>,
): Detection | undefined {
  const detection: Detection = { readers: [], skipped: [], notices: [] };
  for (const component of components) {
    for (const backend of backends[component]) {
      const result = opened(backend, component, context);
      if (result instanceof Promise) {
        // Whatever it opens after all is closed: the caller detects again, in its worker.
        void result.then((late) => ("reader" in late ? late.reader.close() : undefined));
        for (const reader of detection.readers) reader.close();
        return undefined;
      }
      if (record(detection, result)) break;
    }
  }
  return excludeOverlaps(detection);
}

/** A backend's answer; a throw is a skip saying so. */
function opened(
  backend: Backend,
  component: Component,
  context: DetectionContext,
): OpenResult | Promise<OpenResult> {
  const failed = (error: unknown): OpenResult => ({
    skip: { backend: backend.id, component, reason: `failed to open: ${String(error)}` },
  });
  try {
    const result = backend.open(context);
    return result instanceof Promise ? result.catch(failed) : result;
  } catch (error) {
    return failed(error);
  }
}

/** Adds one backend's answer to the detection; true when it opened (the component is done). */
function record(detection: Detection, result: OpenResult): boolean {
  detection.notices.push(...(result.notices ?? []));
  if ("reader" in result) {
    detection.readers.push(result.reader);
    return true;
  }
  detection.skipped.push(result.skip);
  return false;
}

/**
 * Lets each reader drop the devices another component's reader already counts (an APU inside
 * RAPL's package), once all are open: components are detected GPU first, so this cannot be
 * decided as each opens. A reader left with no device is closed and becomes a skip; the backends
 * after it for that component are not tried (for the GPU, only powermetrics, macOS's). `pool`:
 * the readers it is checked against (default the detection's own).
 */
function excludeOverlaps(detection: Detection, pool: readonly PowerReader[] = detection.readers): Detection {
  for (const reader of [...detection.readers]) {
    if (!reader.excludeOverlaps) continue;
    const others = pool.filter((other) => other !== reader);
    const { notices, emptyReason } = reader.excludeOverlaps(others);
    detection.notices.push(...notices);
    if (reader.devices().length > 0) continue;
    reader.close();
    detection.readers.splice(detection.readers.indexOf(reader), 1);
    detection.skipped.push({
      backend: reader.backend,
      component: reader.component,
      reason: emptyReason ?? "every device it opened is counted by another reader",
    });
  }
  return detection;
}
