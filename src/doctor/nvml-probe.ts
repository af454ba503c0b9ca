// Whether the NVML library can be loaded and which version it is: facts the NVML backend does
// not report (it says only whether it opened). Loads the same CARBONTRACKER_NVML_LIBRARY seam.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { DoctorCheck } from "./report-model.js";

/** The library the NVIDIA driver installs. */
const DEFAULT_NVML_LIBRARY = "libnvidia-ml.so.1";

/** What loading the library showed. */
export interface NvmlProbe {
  /** The name or path asked for. */
  library: string;
  loaded: boolean;
  /** The file the dynamic loader mapped, when found in /proc/self/maps. */
  file?: string;
  /** nvmlSystemGetNVMLVersion, when the library has it and init succeeded. */
  nvmlVersion?: string;
  /** nvmlSystemGetDriverVersion, likewise. */
  driverVersion?: string;
  /** Why something is missing (load error, init return code). */
  problem?: string;
}

type NativeFunction = (...args: unknown[]) => unknown;

function cString(buffer: Buffer): string {
  const end = buffer.indexOf(0);
  return buffer.toString("latin1", 0, end === -1 ? buffer.length : end);
}

/** The mapped file of a loaded library whose name starts like `library`'s. */
function mappedFile(library: string): string | undefined {
  try {
    const stem = basename(library).replace(/\.so.*$/, "");
    const line = readFileSync("/proc/self/maps", "utf8")
      .split("\n")
      .find((l) => l.includes(`/${stem}`));
    return line?.slice(line.indexOf("/")).trim();
  } catch {
    return undefined;
  }
}

/** Loads the library, initialises NVML once and asks its versions; never throws. */
export async function probeNvml(env: Record<string, string | undefined>): Promise<NvmlProbe> {
  const library = env.CARBONTRACKER_NVML_LIBRARY || DEFAULT_NVML_LIBRARY;
  let koffi: typeof import("koffi");
  try {
    koffi = await import("koffi");
  } catch (error) {
    return { library, loaded: false, problem: `the koffi FFI module is unavailable (${String(error)})` };
  }
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load(library);
  } catch (error) {
    return { library, loaded: false, problem: error instanceof Error ? error.message : String(error) };
  }
  const probe: NvmlProbe = { library, loaded: true };
  const file = mappedFile(library);
  if (file !== undefined) probe.file = file;
  const bytesOut = koffi.out(koffi.pointer("uint8"));
  const bind = (name: string, args: unknown[]): NativeFunction | undefined => {
    try {
      return lib.func(name, "int", args as never) as NativeFunction;
    } catch {
      return undefined;
    }
  };
  const init = bind("nvmlInit_v2", []);
  const shutdown = bind("nvmlShutdown", []);
  if (!init || !shutdown) {
    probe.problem = "the library has no nvmlInit_v2/nvmlShutdown: it is not NVML";
    return probe;
  }
  const rc = Number(init());
  if (rc !== 0) {
    probe.problem = `nvmlInit_v2 returned ${rc}`;
    return probe;
  }
  try {
    const text = (name: string): string | undefined => {
      const fn = bind(name, [bytesOut, "uint32"]);
      if (!fn) return undefined;
      const buffer = Buffer.alloc(96);
      return Number(fn(buffer, buffer.length)) === 0 ? cString(buffer) : undefined;
    };
    const nvmlVersion = text("nvmlSystemGetNVMLVersion");
    const driverVersion = text("nvmlSystemGetDriverVersion");
    if (nvmlVersion !== undefined) probe.nvmlVersion = nvmlVersion;
    if (driverVersion !== undefined) probe.driverVersion = driverVersion;
  } finally {
    shutdown();
  }
  return probe;
}

/** The NVML line of the GPU section. */
export function nvmlCheck(probe: NvmlProbe, inContainer: boolean): DoctorCheck {
  if (!probe.loaded) {
    return {
      label: "NVML library",
      status: "warn",
      detail: `${probe.library} not found (${probe.problem ?? "load failed"})`,
      fix: inContainer
        ? "In a container, pass the GPUs and driver in: docker run --gpus all ... (NVIDIA Container Toolkit), or set CARBONTRACKER_NVML_LIBRARY to the library's path."
        : "Install the NVIDIA driver (it ships libnvidia-ml.so.1), or set CARBONTRACKER_NVML_LIBRARY to the library's path.",
    };
  }
  const parts = [
    `${probe.library} loaded${probe.file && probe.file !== probe.library ? ` from ${probe.file}` : ""}`,
    `NVML version ${probe.nvmlVersion ?? "unknown"}`,
    `driver ${probe.driverVersion ?? "unknown"}`,
  ];
  if (probe.problem) parts.push(probe.problem);
  return { label: "NVML library", status: probe.problem ? "warn" : "ok", detail: parts.join(", ") };
}
