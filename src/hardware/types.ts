// The one seam between hardware and the core: a PowerReader turns some hardware interface into
// cumulative energy per device. Counters are differenced by the reader itself (wrap-around
// included); power readings are integrated over time by it. The core only subtracts.
import type { Joules, Watts } from "../units/index.js";

/** The two components the original knows; devices of both are summed within a component. */
export type Component = "cpu" | "gpu";

/** Where a number comes from; every output states it and never passes an estimate as a measurement. */
export type Provenance = "counter" | "sampled" | "estimate" | "simulated";

/** One measured device, named as the original names it (`cpu:0`, `dram:0`, `Tesla T4`). */
export interface DeviceDescription {
  component: Component;
  /** The name in logs ("CPU with device(s) cpu:0, dram:0."): unique within the run. */
  device: string;
  /** A human name (CPU model, GPU marketing name); may equal `device`. */
  name: string;
  provenance: Provenance;
  /** Backend facts for the JSONL (UUID, power limit, sysfs path, ...). */
  details?: Record<string, unknown>;
}

/** What a reader reports for one device at one instant. */
export interface DeviceReading {
  device: string;
  /** Energy since the reader was opened, in joules; never decreases. */
  energyJ: Joules;
  /** Latest power where the backend knows one (W), else null. */
  powerW: Watts | null;
  /**
   * Cross-check for counter backends that also sample power (NVML): energy integrated from the
   * sampled power since open (J). The core records its divergence from `energyJ` per epoch.
   */
  sampledEnergyJ?: Joules;
  /**
   * A lower bound on how often this device's energy counter updates (ms), where the backend has
   * observed it; an epoch shorter than this gets a warning.
   */
  counterUpdatePeriodMs?: number;
  /**
   * Set where `energyJ` is older than this read (caller's clock, ms): a sample that read power
   * alone keeps the last counter figure, as NVML does between its dear counter reads. Absent,
   * `energyJ` is as of this read.
   */
  energyAsOfMs?: number;
}

/** Why a reader is read: a periodic sample, or a boundary whose energy must be exact (the default). */
export type ReadKind = "sample" | "boundary";

/** Hardware (or a model of it) as cumulative energy per device. */
export interface PowerReader {
  /** Backend id: `rapl`, `nvml`, `powermetrics`, `amdgpu`, `estimate`, `simulated`. */
  readonly backend: string;
  readonly component: Component;
  /**
   * True for a reader fed by events (powermetrics' output stream): the thread reading it must
   * keep its event loop running. Other readers are read by blocking calls only, so the sampler
   * thread can sleep in Atomics.wait between samples, the cheapest wake-up Node has.
   */
  readonly needsEventLoop?: boolean;
  /**
   * True for a reader whose read calls a driver that may answer late or not at all (NVML): a
   * ReaderSet reads it after the file readers, whose reads a hung call then does not delay.
   */
  readonly callsDriver?: boolean;
  /** Devices this reader measures; fixed once opened. */
  devices(): DeviceDescription[];
  /**
   * Longest gap between two reads that keeps the energy exact (a counter's wrap time), in ms;
   * undefined when any gap is fine. The sampler reads at least this often.
   */
  maxReadIntervalMs?(): number | undefined;
  /**
   * Reads now, synchronously: cumulative energy per device since open. Called on every sampler
   * tick (`kind` "sample") and at every boundary (an epoch's edges, the run's start and end, a
   * node agent's interval), which must be exact. `nowMs` is the caller's clock (Unix ms) for
   * integrators. A reader whose exact figure is dear may answer a sample with its last exact
   * energy and its power now (NVML). Throws HardwareReadError when the hardware cannot be read.
   */
  read(nowMs: number, kind?: ReadKind): DeviceReading[];
  /**
   * Called by detection once every component's reader is open, with the others: the reader drops
   * its devices whose energy another reader already counts (an APU's socket power, inside RAPL's
   * package) and says why. devices() is fixed from then on; a reader left with none is closed.
   */
  excludeOverlaps?(others: readonly PowerReader[]): OverlapOutcome;
  /** Messages the reader wants logged since the last call (a device lost, a fallback taken). */
  drainNotices?(): ReaderNotice[];
  /** Releases files, libraries and processes. Idempotent. */
  close(): void;
}

/** A message from a reader to the run's logs. */
export interface ReaderNotice {
  level: "info" | "warning" | "error";
  message: string;
  /** An info line shown on the console instead of logged (the original print()s its simulated devices). */
  console?: boolean;
}

/** What PowerReader.excludeOverlaps did. */
export interface OverlapOutcome {
  notices: ReaderNotice[];
  /** Why no device is left, when none is: the reader's skip reason. */
  emptyReason?: string;
}

/** Why a backend was not used; every reason is kept (Kepler's rule) for logs and `doctor`. */
export interface SkipReason {
  backend: string;
  component: Component;
  reason: string;
  /** The exact fix, where there is one (a chmod line, a udev rule, a sudoers line). */
  fix?: string;
}

/** Environment seams and options a backend needs to find its hardware (serialisable: sent to the sampler worker). */
export interface DetectionContext {
  /** Environment variables (the seams of DESIGN.md), normally process.env. */
  env: Record<string, string | undefined>;
  /** Process whose tree is being tracked (devicesByPid), normally process.pid. */
  pid: number;
  devicesByPid: boolean;
  simCpu?: string;
  simCpuTdp?: number;
  simCpuUtil?: number;
  simGpu?: string;
  simGpuWatts?: number;
  simGpuUtil?: number;
  /** CPU TDP in watts for the estimate reader. */
  cpuTdp?: number;
  /** The run's sampling interval (ms), for backends that stream at a rate (powermetrics). */
  updateIntervalMs?: number;
}

/** The outcome of trying one backend. */
export type OpenResult =
  { reader: PowerReader; notices?: ReaderNotice[] } | { skip: SkipReason; notices?: ReaderNotice[] };

/** A backend: one folder under hardware/, one line in the registry. */
export interface Backend {
  readonly id: string;
  readonly component: Component;
  /** Opens the backend's devices or says why not. Must not throw for "not present". */
  open(context: DetectionContext): OpenResult | Promise<OpenResult>;
}
