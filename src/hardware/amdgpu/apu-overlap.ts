// On an APU, amdgpu's power1_average/power1_input is the whole socket's ("average SoC power ...
// on APUs includes the CPU cores", shared/reference/apple-amd-intel.md §9.3; "Power reporting is
// socket power", the kernel patch that says so), and RAPL's package zone is that same socket,
// "cores + uncore/iGPU" (reference/rapl.md). Adding both counts the socket twice, and no sample
// can split the APU's figure into its GPU's part (RAPL gives no figure for the cores alone on AMD:
// its core zone covers one core). So where RAPL counts the package (a counter, the better
// source), the APU is not measured as a GPU, and its GPU's energy stays in the CPU figure. Without
// RAPL the APU is kept, as the only measure of its GPU, and the warning says what it includes.
// APUs are single-socket parts, so a package counted is the APU's.
import type { DeviceDescription, PowerReader, ReaderNotice } from "../types.js";

/** What becomes of an APU, and the warning that says so. */
export interface ApuVerdict {
  /** True: its energy is left out of the GPU, as the CPU's RAPL package counts it. */
  drop: boolean;
  notice: ReaderNotice;
}

/** The CPU device that counts the whole socket: a RAPL package (or psys, which holds it) zone. */
function socketCounterOf(others: readonly PowerReader[]): DeviceDescription | undefined {
  for (const reader of others) {
    if (reader.component !== "cpu" || reader.backend !== "rapl") continue;
    const socket = reader
      .devices()
      .find((d) => d.details?.domain === "package" || d.details?.domain === "psys");
    if (socket) return socket;
  }
  return undefined;
}

/** `apu` names the card as the user sees it: `AMD Radeon 780M (card0)`. */
export function apuVerdict(apu: string, others: readonly PowerReader[]): ApuVerdict {
  const is = `${apu} is an APU: amdgpu reports its whole socket's power, CPU cores included`;
  const socket = socketCounterOf(others);
  if (socket) {
    return {
      drop: true,
      notice: {
        level: "warning",
        message: `${is}, and RAPL's ${socket.name} already counts that socket for the CPU. It is not measured as a GPU: its GPU's energy is in the CPU package figure.`,
      },
    };
  }
  const cpu = others.find((reader) => reader.component === "cpu");
  const message = cpu
    ? `${is}, so the cores are counted twice: in the GPU figure and in the CPU's (${cpu.backend}). Make RAPL's package counter readable (see carbontracker doctor) to count the socket once.`
    : `${is}, so the GPU figure holds the CPU cores' energy too.`;
  return { drop: false, notice: { level: "warning", message } };
}
