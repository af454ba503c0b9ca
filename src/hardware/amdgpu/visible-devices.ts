// ROCR_VISIBLE_DEVICES and HIP_VISIBLE_DEVICES pick AMD GPUs the way CUDA_VISIBLE_DEVICES picks
// NVIDIA ones: a comma list of indices or UUIDs, read up to its first invalid entry. HIP's list
// indexes into what ROCr left visible, as the two runtimes stack.

/** The variables that select AMD GPUs, outermost first. */
const AMD_VISIBILITY_VARIABLES = ["ROCR_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES"] as const;

/** What a selection kept, and what it said about it. */
export interface Selection<T> {
  visible: T[];
  /** `ROCR_VISIBLE_DEVICES=1,0` parts that applied; empty when no variable is set. */
  applied: string[];
  /** Entries ignored and why (an index past the end, an unknown UUID). */
  ignored: string[];
}

// ROCm prints the UUID as `GPU-` + sysfs `unique_id` in hex; accept either spelling, 0x or not.
function normalizeUuid(text: string): string {
  return text.trim().toLowerCase().replace(/^gpu-/, "").replace(/^0x/, "");
}

function selectOnce<T>(
  devices: T[],
  list: string,
  uuidOf: (device: T) => string | null,
  variable: string,
  ignored: string[],
): T[] {
  const picked: T[] = [];
  for (const raw of list.split(",")) {
    const entry = raw.trim();
    if (entry.length === 0) continue;
    let device: T | undefined;
    if (/^\d+$/.test(entry)) {
      device = devices[Number(entry)];
    } else {
      const wanted = normalizeUuid(entry);
      device = devices.find((d) => {
        const uuid = uuidOf(d);
        return uuid !== null && normalizeUuid(uuid) === wanted;
      });
    }
    if (device === undefined) {
      // As CUDA does: the list ends at the first entry that names no device.
      ignored.push(
        `${variable}: '${entry}' names no device (of ${devices.length}); it and later entries are ignored`,
      );
      break;
    }
    if (!picked.includes(device)) picked.push(device);
  }
  return picked;
}

/** Applies ROCR_VISIBLE_DEVICES, then HIP_VISIBLE_DEVICES, to devices in enumeration order. */
export function selectVisibleDevices<T>(
  devices: T[],
  env: Record<string, string | undefined>,
  uuidOf: (device: T) => string | null,
): Selection<T> {
  let visible = devices;
  const applied: string[] = [];
  const ignored: string[] = [];
  for (const variable of AMD_VISIBILITY_VARIABLES) {
    const list = env[variable];
    if (list === undefined) continue;
    applied.push(`${variable}=${list}`);
    visible = selectOnce(visible, list, uuidOf, variable, ignored);
  }
  return { visible, applied, ignored };
}
