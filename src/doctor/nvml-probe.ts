// Whether the NVML library can be loaded and which version it is: facts the NVML backend does
// not report (it says only whether it opened). Loads the library through the backend's own
// binding (one NVML loader in the product), from the same CARBONTRACKER_NVML_LIBRARY seam.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { NVML_INSTALL_FIX, nvmlLibraryOf } from "../hardware/nvml/nvml-backend.js";
import { acquireNvml } from "../hardware/nvml/nvml-library.js";
import type { DoctorCheck } from "./report-model.js";

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

/** Loads the library through the NVML backend's binding and asks its versions; never throws. */
export async function probeNvml(env: Record<string, string | undefined>): Promise<NvmlProbe> {
  const library = nvmlLibraryOf(env);
  const acquired = await acquireNvml(library);
  if (!acquired.ok) {
    if (acquired.stage !== "init") return { library, loaded: false, problem: acquired.reason };
    return { library, loaded: true, ...withFile(library), problem: acquired.reason };
  }
  const probe: NvmlProbe = { library, loaded: true, ...withFile(library) };
  try {
    const nvml = acquired.session.api.nvmlVersion();
    const driver = acquired.session.api.driverVersion();
    if (nvml.ok) probe.nvmlVersion = nvml.value;
    if (driver.ok) probe.driverVersion = driver.value;
  } finally {
    acquired.session.release();
  }
  return probe;
}

function withFile(library: string): { file?: string } {
  const file = mappedFile(library);
  return file === undefined ? {} : { file };
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
        : NVML_INSTALL_FIX,
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
