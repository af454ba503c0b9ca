// Which AMD GPUs a run measures: the visibility variables of the ROCm stack, in this precedence
// (shared/reference/apple-amd-intel.md §9.2, ROCm's GPU isolation page):
//   1. ROCR_VISIBLE_DEVICES (the ROCr runtime; what SLURM sets) restricts what every runtime above
//      it sees: indices into all cards, or UUIDs.
//   2. HIP_VISIBLE_DEVICES applies on top of it: HIP's indices count what ROCr left visible.
//   3. CUDA_VISIBLE_DEVICES, which HIP (and zeus) take in HIP_VISIBLE_DEVICES' place, counts only
//      where neither of the two is set: SLURM gives CUDA_VISIBLE_DEVICES the same list as
//      ROCR_VISIBLE_DEVICES (shared/reference/slurm.md), which, applied again on what ROCr left,
//      would pick other cards or none; PyTorch's ROCm build reads them so too. One that differs
//      from the list in its place gets a warning.
// Indices count cards in DRM card-number order, taken to be the runtime's. Each list is read up
// to its first entry that names no card, as CUDA reads its own.

/** The variables that select AMD GPUs. */
const ROCR = "ROCR_VISIBLE_DEVICES";
const HIP = "HIP_VISIBLE_DEVICES";
const CUDA = "CUDA_VISIBLE_DEVICES";

/** What a selection kept, and what it said about it. */
export interface Selection<T> {
  visible: T[];
  /** `ROCR_VISIBLE_DEVICES=1,0` parts that applied; empty when no variable is set. */
  applied: string[];
  /** Entries ignored and why; a CUDA_VISIBLE_DEVICES left unapplied that differs from the list in its place. */
  warnings: string[];
}

// ROCm prints the UUID as `GPU-` + sysfs `unique_id` in hex; accept either spelling, 0x or not.
function normalizeUuid(text: string): string {
  return text.trim().toLowerCase().replace(/^gpu-/, "").replace(/^0x/, "");
}

/** The device an entry names, or why it names none. */
function resolve<T>(devices: T[], entry: string, uuidOf: (device: T) => string | null): T | string {
  if (/^\d+$/.test(entry)) {
    return devices[Number(entry)] ?? `no AMD GPU has this index: ${devices.length} visible`;
  }
  if (!/^(gpu-)?(0x)?[\da-f][\da-f-]*$/i.test(entry)) return "not an index or a GPU UUID";
  const wanted = normalizeUuid(entry);
  const device = devices.find((d) => {
    const uuid = uuidOf(d);
    return uuid !== null && normalizeUuid(uuid) === wanted;
  });
  return device ?? "no visible AMD GPU has this UUID (sysfs unique_id)";
}

function selectOnce<T>(
  devices: T[],
  variable: string,
  list: string,
  uuidOf: (device: T) => string | null,
  warnings: string[],
): T[] {
  const picked: T[] = [];
  const entries = list.split(",").map((raw) => raw.trim());
  for (const [position, entry] of entries.entries()) {
    if (entry.length === 0) continue;
    const device = resolve(devices, entry, uuidOf);
    if (typeof device === "string") {
      const hidden = entries.slice(position + 1).filter((e) => e.length > 0);
      warnings.push(
        `${variable} entry '${entry}' is ignored (${device})${hidden.length > 0 ? `, and so is every entry after it, as CUDA reads such a list (${hidden.join(",")})` : ""}.`,
      );
      break;
    }
    if (!picked.includes(device)) picked.push(device);
  }
  return picked;
}

/** Why a CUDA_VISIBLE_DEVICES that ROCR_/HIP_VISIBLE_DEVICES keep from applying may mislead, if it may. */
function unappliedCuda(env: Record<string, string | undefined>): string | undefined {
  const [cuda, hip, rocr] = [env[CUDA], env[HIP], env[ROCR]];
  if (cuda === undefined) return undefined;
  const unapplied = `${CUDA}=${cuda} is not applied to the AMD GPUs`;
  if (hip !== undefined) {
    return cuda.trim() === hip.trim()
      ? undefined
      : `${unapplied}: ${HIP}=${hip} is set and takes its place, as HIP reads them.`;
  }
  if (rocr === undefined || cuda.trim() === rocr.trim()) return undefined;
  return `${unapplied}: ${ROCR}=${rocr} is set, and ${CUDA} counts only where neither ${ROCR} nor ${HIP} is. Set ${HIP} to choose among the GPUs ${ROCR} leaves visible.`;
}

/** Applies the visibility variables to devices in enumeration order (see the head of this file). */
export function selectVisibleDevices<T>(
  devices: T[],
  env: Record<string, string | undefined>,
  uuidOf: (device: T) => string | null,
): Selection<T> {
  let visible = devices;
  const applied: string[] = [];
  const warnings: string[] = [];
  const cudaOnly = env[ROCR] === undefined && env[HIP] === undefined;
  for (const variable of cudaOnly ? [CUDA] : [ROCR, HIP]) {
    const list = env[variable];
    if (list === undefined) continue;
    applied.push(`${variable}=${list}`);
    visible = selectOnce(visible, variable, list, uuidOf, warnings);
  }
  const cuda = cudaOnly ? undefined : unappliedCuda(env);
  if (cuda !== undefined) warnings.push(cuda);
  return { visible, applied, warnings };
}
