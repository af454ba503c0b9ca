// The library's sampler, ready at once: its hardware is detected and read on the caller's
// thread from the start, while a sampler worker starts beside it (tens of milliseconds). Once
// the worker has detected the same devices, it takes over: one reading of both at the handoff
// gives each device's offset, so energies go on from where this thread's readers were. Only for
// backends read from files (never a driver call that could hang: see sampler-choice.ts).
import { detectReadersNow, type Detection } from "../hardware/detect.js";
import type { Backend, Component, DeviceReading, ReadKind, ReaderNotice } from "../hardware/types.js";
import { ReaderSet, type SamplerDescription, type Snapshot } from "./reader-set.js";
import type { Sampler, SampleListener, SamplerConfig } from "./sampler.js";
import { WorkerSampler } from "./worker-sampler.js";

/** What is added to a worker reading of one device to continue this thread's figures (J). */
interface Offset {
  energyJ: number;
  sampledEnergyJ: number;
}

/** Samples on this thread until its worker is ready, then through the worker. */
export class HandoffSampler implements Sampler {
  private local: ReaderSet | undefined;
  private timer: NodeJS.Timeout | undefined;
  private worker: WorkerSampler | undefined;
  private offsets: Map<string, Offset> | undefined;
  /** Worker samples that arrived before the handoff (kept for a span this thread did not sample). */
  private early: Snapshot[] = [];
  private lastLocalMs: number;
  private readonly info: SamplerDescription;
  private readonly listeners: SampleListener[] = [];
  private notices: ReaderNotice[] = [];

  /** Starts sampling, or undefined when detection would have to wait (then use a WorkerSampler). */
  static tryStart(
    config: SamplerConfig,
    onSample: SampleListener,
    backends: Record<Component, Backend[]>,
  ): HandoffSampler | undefined {
    const detection = detectReadersNow(config.components, config.context, backends);
    return detection && new HandoffSampler(detection, config, onSample);
  }

  private constructor(detection: Detection, config: SamplerConfig, onSample: SampleListener) {
    this.listeners.push(onSample);
    const local = new ReaderSet(detection.readers, detection.skipped, detection.notices);
    this.local = local;
    this.info = local.describe(config.updateIntervalMs);
    this.lastLocalMs = local.readNow().tMs;
    this.timer = setInterval(() => this.emit(this.readLocal(undefined, "sample")), this.info.readIntervalMs);
    this.timer.unref();
    this.worker = new WorkerSampler(
      config,
      (snapshot) => this.fromWorker(snapshot),
      () => this.handOff(),
    );
  }

  description(): SamplerDescription {
    return this.info;
  }

  addListener(listener: SampleListener): void {
    this.listeners.push(listener);
  }

  readNow(): Snapshot {
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
    this.stopLocal();
    this.worker?.close();
    this.worker = undefined;
  }

  /** Reads this thread's readers now, or at `nowMs` (the worker's instant, at the handoff). */
  private readLocal(nowMs?: number, kind: ReadKind = "boundary"): Snapshot {
    const local = this.local as ReaderSet;
    const snapshot = nowMs === undefined ? local.readNow(Date.now, kind) : local.read(nowMs, kind);
    this.lastLocalMs = snapshot.tMs;
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
   * The worker takes over: its devices must be ours; a reading of each gives the offsets. When it
   * cannot (it failed, or found other devices), this thread goes on sampling alone.
   */
  private handOff(): void {
    const worker = this.worker;
    if (!worker || !this.local || this.offsets) return;
    // Worker samples after this thread's last one fill the span it did not sample (a blocked loop).
    const lastSampledMs = this.lastLocalMs;
    try {
      const theirs = worker.description().devices.map((d) => d.device);
      const ours = this.info.devices.map((d) => d.device);
      if (theirs.join("\n") !== ours.join("\n")) throw new Error("the worker found other devices");
      const workerReading = worker.readNow();
      // The worker's detection notices repeat this thread's, already reported.
      worker.drainNotices();
      // Read here at the worker's instant: time-integrating readers (simulated, estimate) then
      // agree to the microjoule; counters differ by what they counted in the microseconds between.
      this.offsets = offsetsBetween(this.readLocal(workerReading.tMs), workerReading);
    } catch {
      this.worker = undefined;
      worker.close();
      this.early = [];
      return;
    }
    this.stopLocal();
    const early = this.early.filter((s) => s.tMs > lastSampledMs);
    this.early = [];
    for (const snapshot of early) this.emit(this.shift(snapshot));
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
