// The NVML C API through koffi: versioned symbols bound once per library path, every call
// answered as a return code plus value, and one nvmlInit per process shared by all readers
// (a reference count here; nvmlShutdown when the last reader closes).
import type { TypeObject } from "koffi";
import {
  NVML_ERROR_FUNCTION_NOT_FOUND,
  NVML_ERROR_INSUFFICIENT_SIZE,
  NVML_SUCCESS,
  nvmlReturnName,
} from "./nvml-codes.js";
import { decodeProcessInfos, PROCESS_INFO_STRIDES, type GpuProcess } from "./process-info.js";
import { sharedLibraryMayLoad } from "./library-search.js";
import { threadCpuClock } from "./thread-cpu-clock.js";

type KoffiModule = typeof import("koffi");
type NativeFunction = (...args: unknown[]) => unknown;

/** An opaque nvmlDevice_t (a BigInt address with koffi 3). */
export type NvmlHandle = unknown;

/** An NVML answer: the value, or the return code that replaced it. */
type NvmlResult<T> = { ok: true; value: T } | { ok: false; rc: number };

/**
 * The energy counter's answer, with the CPU its driver call took (ms) where the binding can tell:
 * the NVML proxy times it in its own process, koffi by this thread's CPU clock (glibc's).
 */
export type EnergyResult = NvmlResult<bigint> & { cpuMs?: number };

/** The NVML calls carbontracker makes, each returning its nvmlReturn_t. */
export interface NvmlApi {
  /** The path the library was loaded from. */
  readonly path: string;
  /** "Not Supported (code 3)": NVML's own text for a return code, with the number. */
  describe(rc: number): string;
  deviceCount(): NvmlResult<number>;
  handleByIndex(index: number): NvmlResult<NvmlHandle>;
  handleByUuid(uuid: string): NvmlResult<NvmlHandle>;
  name(handle: NvmlHandle): NvmlResult<string>;
  uuid(handle: NvmlHandle): NvmlResult<string>;
  /** Board power in milliwatts (a 1 s average on Ampere and newer, except GA100). */
  powerMw(handle: NvmlHandle): NvmlResult<number>;
  /** Energy in millijoules since the driver was loaded (Volta and newer). */
  energyMj(handle: NvmlHandle): EnergyResult;
  /** Enforced power limit (mW), else the management limit. */
  powerLimitMw(handle: NvmlHandle): NvmlResult<number>;
  processes(handle: NvmlHandle, kind: "compute" | "graphics"): NvmlResult<GpuProcess[]>;
  isMigHandle(handle: NvmlHandle): NvmlResult<boolean>;
  migParent(handle: NvmlHandle): NvmlResult<NvmlHandle>;
  maxMigDeviceCount(handle: NvmlHandle): NvmlResult<number>;
  migHandleByIndex(handle: NvmlHandle, index: number): NvmlResult<NvmlHandle>;
  driverVersion(): NvmlResult<string>;
  /** The NVML library's own version (`12.550.54.15`). */
  nvmlVersion(): NvmlResult<string>;
}

/** A reference to the initialised library; release() once when done. */
export interface NvmlSession {
  readonly api: NvmlApi;
  release(): void;
}

/**
 * The outcome of acquiring NVML: a session, or why not and at which step (koffi, the library,
 * nvmlInit; or the NVML proxy itself, which could not run or ended before it answered).
 */
export type AcquireResult =
  | { ok: true; session: NvmlSession }
  | { ok: false; reason: string; stage: "koffi" | "load" | "init" | "proxy" };

/** NVML_DEVICE_NAME_V2_BUFFER_SIZE / NVML_DEVICE_UUID_V2_BUFFER_SIZE (bytes). */
const TEXT_BUFFER = 96;
/** NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE (bytes). */
const DRIVER_BUFFER = 80;
/** Spare entries for process lists, which can grow between the probe and the read. */
const SPARE_PROCESSES = 8;

interface Loaded {
  api: NvmlApi;
  init: () => number;
  shutdown: () => number;
  refs: number;
}

const loaded = new Map<string, Loaded>();
let koffiModule: Promise<KoffiModule> | undefined;

/** The text of a NUL-terminated C string written into `buffer` (the whole buffer without a NUL). */
export function cString(buffer: Buffer): string {
  const end = buffer.indexOf(0);
  return buffer.toString("latin1", 0, end === -1 ? buffer.length : end);
}

function toBigInt(value: unknown): bigint {
  return typeof value === "bigint" ? value : BigInt(Math.trunc(Number(value)));
}

function bind(koffi: KoffiModule, path: string): Loaded {
  const lib = koffi.load(path);
  const device = koffi.pointer(koffi.opaque());
  const out = (type: string | TypeObject) => koffi.out(koffi.pointer(type));
  const uintOut = out("uint32");
  const u64Out = out("uint64");
  const deviceOut = out(device);
  const bytesOut = out("uint8");
  const countInOut = koffi.inout(koffi.pointer("uint32"));
  const missing = (): number => NVML_ERROR_FUNCTION_NOT_FOUND;
  // Optional symbols (older drivers lack some) answer FUNCTION_NOT_FOUND instead of failing the load.
  const optional = (name: string, args: unknown[], result = "int"): NativeFunction => {
    try {
      return lib.func(name, result, args as never) as NativeFunction;
    } catch {
      return missing;
    }
  };
  const required = (name: string, args: unknown[], result = "int"): NativeFunction =>
    lib.func(name, result, args as never) as NativeFunction;

  const init = required("nvmlInit_v2", []);
  const shutdown = required("nvmlShutdown", []);
  const getCount = required("nvmlDeviceGetCount_v2", [uintOut]);
  const getHandleByIndex = required("nvmlDeviceGetHandleByIndex_v2", ["uint32", deviceOut]);
  const errorString = optional("nvmlErrorString", ["int"], "const char *");
  const getHandleByUuid = optional("nvmlDeviceGetHandleByUUID", ["const char *", deviceOut]);
  const getName = optional("nvmlDeviceGetName", [device, bytesOut, "uint32"]);
  const getUuid = optional("nvmlDeviceGetUUID", [device, bytesOut, "uint32"]);
  const getPower = optional("nvmlDeviceGetPowerUsage", [device, uintOut]);
  const getEnergy = optional("nvmlDeviceGetTotalEnergyConsumption", [device, u64Out]);
  const getEnforced = optional("nvmlDeviceGetEnforcedPowerLimit", [device, uintOut]);
  const getLimit = optional("nvmlDeviceGetPowerManagementLimit", [device, uintOut]);
  const getCompute = optional("nvmlDeviceGetComputeRunningProcesses_v3", [device, countInOut, bytesOut]);
  const getGraphics = optional("nvmlDeviceGetGraphicsRunningProcesses_v3", [device, countInOut, bytesOut]);
  const isMig = optional("nvmlDeviceIsMigDeviceHandle", [device, uintOut]);
  const migParent = optional("nvmlDeviceGetDeviceHandleFromMigDeviceHandle", [device, deviceOut]);
  const maxMig = optional("nvmlDeviceGetMaxMigDeviceCount", [device, uintOut]);
  const migByIndex = optional("nvmlDeviceGetMigDeviceHandleByIndex", [device, "uint32", deviceOut]);
  const driver = optional("nvmlSystemGetDriverVersion", [bytesOut, "uint32"]);
  const version = optional("nvmlSystemGetNVMLVersion", [bytesOut, "uint32"]);

  // What the energy counter's call costs this thread (NvmlReader's anchor interval).
  const cpuUs = threadCpuClock(koffi);
  const scalar = <T>(call: (cell: unknown[]) => unknown, convert: (value: unknown) => T): NvmlResult<T> => {
    const cell: unknown[] = [0];
    const rc = Number(call(cell));
    return rc === NVML_SUCCESS ? { ok: true, value: convert(cell[0]) } : { ok: false, rc };
  };
  const text = (call: (buffer: Buffer) => unknown, size: number): NvmlResult<string> => {
    const buffer = Buffer.alloc(size);
    const rc = Number(call(buffer));
    return rc === NVML_SUCCESS ? { ok: true, value: cString(buffer) } : { ok: false, rc };
  };
  const handleOf = (call: (cell: unknown[]) => unknown): NvmlResult<NvmlHandle> => {
    const cell: unknown[] = [null];
    const rc = Number(call(cell));
    return rc === NVML_SUCCESS ? { ok: true, value: cell[0] } : { ok: false, rc };
  };
  const processList = (fn: NativeFunction, handle: NvmlHandle): NvmlResult<GpuProcess[]> => {
    const probe = [0];
    let rc = Number(fn(handle, probe, null));
    if (rc === NVML_SUCCESS) return { ok: true, value: [] };
    // The list is live: retry a few times if it grew past the spare slots in between.
    for (let attempt = 0; attempt < 3 && rc === NVML_ERROR_INSUFFICIENT_SIZE; attempt++) {
      const slots = (probe[0] ?? 0) + SPARE_PROCESSES * (attempt + 1);
      const buffer = Buffer.alloc(slots * PROCESS_INFO_STRIDES[1], 0xff);
      const count = [slots];
      rc = Number(fn(handle, count, buffer));
      if (rc === NVML_SUCCESS) return { ok: true, value: decodeProcessInfos(buffer, count[0] ?? 0) };
      probe[0] = count[0] ?? slots;
    }
    return { ok: false, rc };
  };

  const api: NvmlApi = {
    path,
    describe(rc) {
      let message: string | undefined;
      try {
        const value = errorString(rc);
        message = typeof value === "string" && value !== "" ? value : undefined;
      } catch {
        message = undefined;
      }
      return `${message ?? nvmlReturnName(rc)} (code ${rc})`;
    },
    deviceCount: () => scalar((c) => getCount(c), Number),
    handleByIndex: (index) => handleOf((c) => getHandleByIndex(index, c)),
    handleByUuid: (uuid) => handleOf((c) => getHandleByUuid(uuid, c)),
    name: (handle) => text((b) => getName(handle, b, TEXT_BUFFER), TEXT_BUFFER),
    uuid: (handle) => text((b) => getUuid(handle, b, TEXT_BUFFER), TEXT_BUFFER),
    powerMw: (handle) => scalar((c) => getPower(handle, c), Number),
    energyMj(handle) {
      const before = cpuUs?.();
      const result = scalar((c) => getEnergy(handle, c), toBigInt);
      return cpuUs && before !== undefined ? { ...result, cpuMs: (cpuUs() - before) / 1000 } : result;
    },
    powerLimitMw(handle) {
      const enforced = scalar((c) => getEnforced(handle, c), Number);
      return enforced.ok ? enforced : scalar((c) => getLimit(handle, c), Number);
    },
    processes: (handle, kind) => processList(kind === "compute" ? getCompute : getGraphics, handle),
    isMigHandle: (handle) =>
      scalar(
        (c) => isMig(handle, c),
        (v) => Number(v) !== 0,
      ),
    migParent: (handle) => handleOf((c) => migParent(handle, c)),
    maxMigDeviceCount: (handle) => scalar((c) => maxMig(handle, c), Number),
    migHandleByIndex: (handle, index) => handleOf((c) => migByIndex(handle, index, c)),
    driverVersion: () => text((b) => driver(b, DRIVER_BUFFER), DRIVER_BUFFER),
    nvmlVersion: () => text((b) => version(b, DRIVER_BUFFER), DRIVER_BUFFER),
  };
  return { api, init: () => Number(init()), shutdown: () => Number(shutdown()), refs: 0 };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Why NVML cannot load from `path`, when the dynamic loader certainly cannot find it (told
 * without loading koffi, in the words koffi would use); undefined when it may load.
 */
export function unloadableNvmlReason(path: string): string | undefined {
  if (loaded.has(path) || sharedLibraryMayLoad(path, { env: process.env })) return undefined;
  return `cannot load the NVML library ${path}: Failed to load shared library: cannot open shared object file: No such file or directory`;
}

/**
 * Loads NVML from `path` (once per path) and initialises it unless a reader already did.
 * Never throws: a missing koffi, library or driver comes back as a reason.
 */
export async function acquireNvml(path: string): Promise<AcquireResult> {
  const unloadable = unloadableNvmlReason(path);
  if (unloadable) return { ok: false, reason: unloadable, stage: "load" };
  let koffi: KoffiModule;
  try {
    koffiModule ??= import("koffi");
    koffi = await koffiModule;
  } catch (error) {
    koffiModule = undefined;
    return {
      ok: false,
      reason: `the koffi FFI package cannot be loaded (${errorText(error)})`,
      stage: "koffi",
    };
  }
  let entry = loaded.get(path);
  if (!entry) {
    try {
      entry = bind(koffi, path);
    } catch (error) {
      return {
        ok: false,
        reason: `cannot load the NVML library ${path}: ${errorText(error)}`,
        stage: "load",
      };
    }
    loaded.set(path, entry);
  }
  if (entry.refs === 0) {
    const rc = entry.init();
    if (rc !== NVML_SUCCESS) {
      return { ok: false, reason: `nvmlInit_v2 in ${path} failed: ${entry.api.describe(rc)}`, stage: "init" };
    }
  }
  entry.refs += 1;
  const held = entry;
  let released = false;
  return {
    ok: true,
    session: {
      api: held.api,
      release() {
        if (released) return;
        released = true;
        held.refs -= 1;
        // UNINITIALIZED from an extra shutdown is documented as harmless: nothing to do with it.
        if (held.refs === 0) held.shutdown();
      },
    },
  };
}
