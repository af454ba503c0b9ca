// The library's sampler (and the CLI's on a GPU machine), ready at once: its hardware is
// detected and read on the caller's thread from the start, while a sampler worker starts beside
// it (tens of milliseconds). Once the worker has detected the same devices, it takes over: one
// reading of both at the handoff gives each device's offset, so energies go on from where this
// thread's readers were. Only for backends read from files (never a driver call that could hang:
// see sampler-choice.ts). Components that need a driver (the GPU through NVML) can join late:
// the worker alone detects and reads them, and they join at the handoff (see `LateJoin`).
import { detectReadersNow, type Detection } from "../hardware/detect.js";
import type {
  Backend,
  Component,
  DeviceDescription,
  DeviceReading,
  ReadKind,
  ReaderNotice,
} from "../hardware/types.js";
import { ReaderSet, type SamplerDescription, type Snapshot } from "./reader-set.js";
import type { Sampler, SampleListener, SamplerConfig } from "./sampler.js";
import { WorkerSampler } from "./worker-sampler.js";

/** Components left to the worker alone, and when it starts (see HandoffSampler's constructor). */
export interface LateJoin {
  components: readonly Component[];
  /**
   * `after-first-boundary`: the CLI, whose command starts right after its baseline reading and
   * should not wait for the worker's start. `now`: the library, whose caller may block its event
   * loop from its first epochStart() on, so the worker starts at once and the late devices join
   * from its first reading.
   */
  workerStarts: "now" | "after-first-boundary";
  /** What takes over (default: a sampler worker; the CLI's NVML proxy sampler where it was built). */
  takeover?: TakeoverFactory;
}

/** The sampler that takes over from this thread's readers once it has detected the hardware. */
export interface TakeoverSampler {
  /** Whether detection is done (or failed), so description() answers at once. */
  readonly detected: boolean;
  /** The devices; waits for detection when it is not done. */
  description(): SamplerDescription;
  readNow(): Snapshot;
  drainNotices(): ReaderNotice[];
  close(): void;
  /** Resolves once detection is done, without blocking; rejects when it failed. */
  ready(): Promise<void>;
  /** The reading taken right after detection, once there is one. */
  readonly firstReading: Snapshot | undefined;
}

/** Starts a takeover sampler: its samples go to `onSample`, and `onDetected` is called once it has detected. */
export type TakeoverFactory = (
  config: SamplerConfig,
  onSample: SampleListener,
  onDetected: () => void,
) => TakeoverSampler;

const workerTakeover: TakeoverFactory = (config, onSample, onDetected) =>
  new WorkerSampler(config, onSample, onDetected);

/** What is added to a worker reading of one device to continue this thread's figures (J). */
interface Offset {
  energyJ: number;
  sampledEnergyJ: number;
}

/** Samples on this thread until its worker is ready, then through the worker. */
export class HandoffSampler implements Sampler {
  private local: ReaderSet | undefined;
  private timer: NodeJS.Timeout | undefined;
  private worker: TakeoverSampler | undefined;
  /** Starts the worker: at once, or with late components only once the baseline is read. */
  private startWorker: (() => TakeoverSampler) | undefined;
  private offsets: Map<string, Offset> | undefined;
  /** Worker samples that arrived before the handoff (kept for a span this thread did not sample). */
  private early: Snapshot[] = [];
  private lastLocalMs: number;
  private readonly joinsLate: readonly Component[];
  private info: SamplerDescription;
  private readonly listeners: SampleListener[] = [];
  private notices: ReaderNotice[] = [];
  /** This thread's detection notices: the worker's repeat them. */
  private readonly localNotices: string[];
  /** When this thread served its first boundary reading: where a late device's energy starts. */
  private firstBoundaryMs: number | undefined;
  /** Called once the late components joined (or could not): see describedLater(). */
  private lateListeners: (() => void)[] | undefined = [];

  /**
   * Starts sampling, or undefined when detection would have to wait (then use a WorkerSampler).
   * `late`: components this thread leaves to the worker (see the constructor); then
   * description() waits for the worker.
   */
  static tryStart(
    config: SamplerConfig,
    onSample: SampleListener,
    backends: Record<Component, Backend[]>,
    late?: LateJoin,
  ): HandoffSampler | undefined {
    const here = config.components.filter((component) => !late?.components.includes(component));
    const detection = detectReadersNow(here, config.context, backends);
    return detection && new HandoffSampler(detection, config, onSample, late);
  }

  /**
   * Components in `late` are read by the worker alone. Their devices join at the handoff, which
   * description() waits for (describedLater() tells when, without waiting); until then readNow()
   * reads this thread's devices only. A late device's energy starts at the first boundary
   * reading this thread served (the CLI's baseline, the library's first epochStart()): its span
   * until the worker's first reading (the worker's start, tens of milliseconds) counts at the
   * power of that reading, its counter after. With `workerStarts: "after-first-boundary"` the
   * worker starts only after that first boundary reading (at the next one, or when description()
   * is asked for), so starting it costs the caller nothing before its command runs.
   */
  private constructor(
    detection: Detection,
    config: SamplerConfig,
    onSample: SampleListener,
    late: LateJoin | undefined,
  ) {
    this.joinsLate = late?.components ?? [];
    this.listeners.push(onSample);
    this.localNotices = detection.notices.map(noticeKey);
    const local = new ReaderSet(detection.readers, detection.skipped, detection.notices);
    this.local = local;
    this.info = local.describe(config.updateIntervalMs);
    this.lastLocalMs = local.readNow().tMs;
    this.timer = setInterval(() => {
      this.emit(this.readLocal(undefined, "sample"));
      this.ensureWorker();
    }, this.info.readIntervalMs);
    this.timer.unref();
    const takeover = late?.takeover ?? workerTakeover;
    this.startWorker = () =>
      takeover(
        config,
        (snapshot) => this.fromWorker(snapshot),
        () => this.handOff(),
      );
    if (late?.workerStarts === "after-first-boundary") return;
    this.ensureWorker();
    if (this.joinsLate.length > 0) void this.joinWhenReady();
  }

  description(): SamplerDescription {
    if (this.joinsLate.length > 0) {
      this.ensureWorker();
      this.handOff();
    }
    return this.info;
  }

  /**
   * True while late components have not joined yet: `listener` is then called once they have
   * (or could not), on this thread's event loop when the worker is ready, or within the call
   * that made the handoff. False when description() is complete now.
   */
  describedLater(listener: () => void): boolean {
    if (!this.lateListeners || this.joinsLate.length === 0) return false;
    this.lateListeners.push(listener);
    return true;
  }

  addListener(listener: SampleListener): void {
    this.listeners.push(listener);
  }

  readNow(): Snapshot {
    if (this.firstBoundaryMs !== undefined) this.ensureWorker();
    if (!this.offsets && this.worker?.detected) this.handOff();
    if (this.offsets && this.worker) return this.shift(this.worker.readNow());
    return this.readLocal();
  }

  drainNotices(): ReaderNotice[] {
    const drained = [...this.notices, ...(this.local?.drainNotices() ?? [])];
    this.notices = [];
    if (this.offsets && this.worker) drained.push(...this.worker.drainNotices());
    return drained;
  }

  close(): void {
    this.lateListeners = undefined;
    this.stopLocal();
    this.startWorker = undefined;
    this.worker?.close();
    this.worker = undefined;
  }

  /** Starts the worker if it was not yet (never again once it failed or closed). */
  private ensureWorker(): void {
    if (!this.startWorker) return;
    this.worker = this.startWorker();
    this.startWorker = undefined;
  }

  /** Reads this thread's readers now, or at `nowMs` (the worker's instant, at the handoff). */
  private readLocal(nowMs?: number, kind: ReadKind = "boundary"): Snapshot {
    const local = this.local as ReaderSet;
    const snapshot = nowMs === undefined ? local.readNow(Date.now, kind) : local.read(nowMs, kind);
    this.lastLocalMs = snapshot.tMs;
    if (nowMs === undefined && kind === "boundary") this.firstBoundaryMs ??= snapshot.tMs;
    return snapshot;
  }

  private emit(snapshot: Snapshot): void {
    for (const listener of this.listeners) listener(snapshot);
  }

  private fromWorker(snapshot: Snapshot): void {
    if (this.offsets) this.emit(this.shift(snapshot));
    else this.early.push(snapshot);
  }

  /**
   * The worker takes over: its devices must be ours (and any of the components that join late);
   * a reading of each gives the offsets. When it cannot (it failed, or found other devices),
   * this thread goes on sampling alone.
   */
  private handOff(): void {
    const worker = this.worker;
    if (!worker || !this.local || this.offsets) return;
    // Worker samples after this thread's last one fill the span it did not sample (a blocked loop).
    const lastSampledMs = this.lastLocalMs;
    try {
      const description = worker.description();
      const isLate = (d: DeviceDescription) => this.joinsLate.includes(d.component);
      const theirs = description.devices.filter((d) => !isLate(d)).map((d) => d.device);
      const ours = this.info.devices.map((d) => d.device);
      if (theirs.join("\n") !== ours.join("\n")) throw new Error("the worker found other devices");
      const workerReading = worker.readNow();
      // The worker's detection notices repeat this thread's, already reported; a late
      // component's are new.
      const workerNotices = worker.drainNotices();
      if (this.joinsLate.length > 0)
        this.notices.push(...workerNotices.filter((n) => !this.localNotices.includes(noticeKey(n))));
      // Read here at the worker's instant: time-integrating readers (simulated, estimate) then
      // agree to the microjoule; counters differ by what they counted in the microseconds between.
      this.offsets = offsetsBetween(this.readLocal(workerReading.tMs), workerReading);
      // A late device counts from the worker's first reading (its energy from the instant that
      // reading's energy is as of), at that reading's power before it.
      const first = worker.firstReading ?? workerReading;
      const startMs = this.firstBoundaryMs;
      const spanJ = (powerW: number | null, untilMs: number) =>
        (powerW ?? 0) * (Math.max(0, untilMs - (startMs ?? untilMs)) / 1000);
      for (const device of description.devices.filter(isLate)) {
        const reading = first.readings.find((r) => r.device === device.device);
        if (!reading) continue;
        this.offsets.set(device.device, {
          energyJ: spanJ(reading.powerW, reading.energyAsOfMs ?? first.tMs) - reading.energyJ,
          sampledEnergyJ: spanJ(reading.powerW, first.tMs) - (reading.sampledEnergyJ ?? 0),
        });
      }
      this.info = description;
    } catch (error) {
      this.giveUpWorker(worker, error);
      return;
    }
    this.stopLocal();
    const early = this.early.filter((s) => s.tMs > lastSampledMs);
    this.early = [];
    for (const snapshot of early) this.emit(this.shift(snapshot));
    this.lateJoined();
  }

  /** The worker cannot take over: this thread goes on alone (without the late components, said). */
  private giveUpWorker(worker: TakeoverSampler, error: unknown): void {
    if (this.joinsLate.length > 0) {
      const why = error instanceof Error ? error.message : String(error);
      this.notices.push({
        level: "warning",
        message: `${this.joinsLate.map((c) => c.toUpperCase()).join(", ")} not measured: the sampler thread that reads it could not take over (${why}).`,
      });
    }
    this.worker = undefined;
    worker.close();
    this.early = [];
    this.lateJoined();
  }

  /**
   * Hands off as soon as the worker is ready, without blocking this thread, or gives up after
   * the worker's time-out for a first answer (a driver that hangs in its init).
   */
  private async joinWhenReady(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    try {
      await worker.ready();
    } catch (error) {
      if (this.worker === worker && !this.offsets) this.giveUpWorker(worker, error);
      return;
    }
    this.handOff();
  }

  /** The late components joined or never will: tells describedLater()'s listeners, once. */
  private lateJoined(): void {
    const listeners = this.lateListeners ?? [];
    this.lateListeners = undefined;
    for (const listener of listeners) listener();
  }

  private stopLocal(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.local) this.notices.push(...this.local.drainNotices());
    this.local?.close();
    this.local = undefined;
  }

  private shift(snapshot: Snapshot): Snapshot {
    const offsets = this.offsets as Map<string, Offset>;
    return {
      tMs: snapshot.tMs,
      readings: snapshot.readings.map((reading) => {
        const offset = offsets.get(reading.device);
        if (!offset) return reading;
        const shifted: DeviceReading = { ...reading, energyJ: reading.energyJ + offset.energyJ };
        if (reading.sampledEnergyJ !== undefined) {
          shifted.sampledEnergyJ = reading.sampledEnergyJ + offset.sampledEnergyJ;
        }
        return shifted;
      }),
    };
  }
}

/** A notice's identity, to tell the worker's new notices from the repeated ones. */
function noticeKey(notice: ReaderNotice): string {
  return `${notice.level}\n${notice.message}`;
}

/** Per device, what turns the worker's figures into this thread's (J). */
function offsetsBetween(ours: Snapshot, theirs: Snapshot): Map<string, Offset> {
  const offsets = new Map<string, Offset>();
  for (const mine of ours.readings) {
    const other = theirs.readings.find((r) => r.device === mine.device);
    if (!other) continue;
    offsets.set(mine.device, {
      energyJ: mine.energyJ - other.energyJ,
      sampledEnergyJ: (mine.sampledEnergyJ ?? 0) - (other.sampledEnergyJ ?? 0),
    });
  }
  return offsets;
}
