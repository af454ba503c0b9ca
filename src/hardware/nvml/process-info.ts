// Decodes the nvmlProcessInfo_t array of the process-list calls by hand, because some R535
// drivers write 32-byte entries where the header says 24 (nvitop #79): the stride is detected.

/** One process using a GPU, as NVML lists it (host PID namespace). */
export interface GpuProcess {
  pid: number;
  /** Bytes of GPU memory; null where NVML says NVML_VALUE_NOT_AVAILABLE. */
  usedGpuMemoryBytes: bigint | null;
}

/** The header's entry size (bytes) and the larger one some drivers use. */
export const PROCESS_INFO_STRIDES = [24, 32] as const;

/** Largest PID Linux hands out (pid_max limit, 2^22). */
const PID_MAX = 4_194_304;
const NOT_AVAILABLE = 0xffff_ffff_ffff_ffffn;
const NO_INSTANCE = 0xffff_ffff;
/** MIG instance ids are small; anything else means the entry was read at the wrong stride. */
const MAX_INSTANCE_ID = 64;

function plausible(buffer: Buffer, offset: number): boolean {
  if (offset + 24 > buffer.length) return false;
  const pid = buffer.readUInt32LE(offset);
  const gi = buffer.readUInt32LE(offset + 16);
  const ci = buffer.readUInt32LE(offset + 20);
  const instanceOk = (id: number) => id === NO_INSTANCE || id < MAX_INSTANCE_ID;
  return pid > 0 && pid <= PID_MAX && instanceOk(gi) && instanceOk(ci);
}

/** The stride (bytes) at which every entry of `count` looks like a real process. */
export function detectProcessInfoStride(buffer: Buffer, count: number): number {
  if (count <= 1) return PROCESS_INFO_STRIDES[0];
  for (const stride of PROCESS_INFO_STRIDES) {
    let ok = true;
    for (let i = 1; i < count && ok; i++) ok = plausible(buffer, i * stride);
    if (ok) return stride;
  }
  return PROCESS_INFO_STRIDES[0];
}

/** Decodes `count` entries written by nvmlDevice*RunningProcesses_v3 into `buffer`. */
export function decodeProcessInfos(buffer: Buffer, count: number): GpuProcess[] {
  const stride = detectProcessInfoStride(buffer, count);
  const processes: GpuProcess[] = [];
  for (let i = 0; i < count && (i + 1) * stride <= buffer.length; i++) {
    const memory = buffer.readBigUInt64LE(i * stride + 8);
    processes.push({
      pid: buffer.readUInt32LE(i * stride),
      usedGpuMemoryBytes: memory === NOT_AVAILABLE ? null : memory,
    });
  }
  return processes;
}
