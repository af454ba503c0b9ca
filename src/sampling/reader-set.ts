// The readers of one run read as one: cumulative energy per device at one instant, a reader that
// throws keeps its last figures (and says so) instead of stopping the others.
import type {
  DeviceDescription,
  DeviceReading,
  PowerReader,
  ReadKind,
  ReaderNotice,
  SkipReason,
} from "../hardware/types.js";
import type { Milliseconds } from "../units/index.js";

/** All devices' cumulative energy at one instant. */
export interface Snapshot {
  /** Unix time of the read. */
  tMs: Milliseconds;
  readings: DeviceReading[];
}

/** What detection found, as the tracker reports it. */
export interface SamplerDescription {
  devices: DeviceDescription[];
  skipped: SkipReason[];
  /** Milliseconds between background reads actually used. */
  readIntervalMs: number;
  /** Why the interval is shorter than asked, when it is. */
  intervalReason?: string;
}

/**
 * A read that takes this much longer (ms) than the fastest read of its kind was most likely
 * paused: reading files takes microseconds. A driver's call can take milliseconds every time
 * (NVML's energy counter: 4 ms on an H200), so the measure is the fastest read, not zero.
 */
const PAUSED_READ_MS = 2;

/** The fastest interval we sample at, whatever a reader asks (ms). */
const MIN_READ_INTERVAL_MS = 50;

/** Reads a set of readers together and keeps the last good figures of each. */
export class ReaderSet {
  private readonly last = new Map<string, DeviceReading>();
  private readonly failing = new Set<PowerReader>();
  private notices: ReaderNotice[] = [];
  /** The fastest read of each kind so far (ms): what an unpaused read takes. */
  private readonly fastestReadMs: Record<ReadKind, number> = { sample: Infinity, boundary: Infinity };

  /** Failed reads so far (a reader threw, or reported an error). */
  private failedReads = 0;
  /** The readers' indexes, those that call a driver last; undefined when none does. */
  private readonly driversLast: number[] | undefined;

  constructor(
    readonly readers: PowerReader[],
    readonly skipped: SkipReason[],
    initialNotices: ReaderNotice[] = [],
  ) {
    this.notices.push(...initialNotices);
    // A stable sort: the file readers in their order, then the driver readers in theirs.
    const callsDriver = (index: number) => (readers[index]?.callsDriver === true ? 1 : 0);
    this.driversLast = readers.some((reader) => reader.callsDriver === true)
      ? readers.map((_reader, index) => index).sort((a, b) => callsDriver(a) - callsDriver(b))
      : undefined;
  }

  /** Devices of every reader, GPU before CPU as the original lists them. */
  devices(): DeviceDescription[] {
    const all = this.readers.flatMap((r) => r.devices());
    return [...all.filter((d) => d.component === "gpu"), ...all.filter((d) => d.component === "cpu")];
  }

  /** The read interval: the asked one, shortened to every reader's safe maximum. */
  describe(updateIntervalMs: number): SamplerDescription {
    let readIntervalMs = updateIntervalMs;
    let intervalReason: string | undefined;
    for (const reader of this.readers) {
      const max = reader.maxReadIntervalMs?.();
      if (max !== undefined && max < readIntervalMs) {
        readIntervalMs = max;
        intervalReason = `${reader.backend} counters could wrap: sampling every ${(Math.max(max, MIN_READ_INTERVAL_MS) / 1000).toFixed(2)} s instead of every ${(updateIntervalMs / 1000).toFixed(2)} s.`;
      }
    }
    return {
      devices: this.devices(),
      skipped: this.skipped,
      readIntervalMs: Math.max(MIN_READ_INTERVAL_MS, readIntervalMs),
      intervalReason,
    };
  }

  /**
   * Reads every reader now; a reader that throws contributes its last good figures. Readers that
   * call a driver (callsDriver) are read after the others, so a call that hangs until its
   * deadline delays no file's read; the readings keep the readers' order.
   */
  read(nowMs: number, kind: ReadKind = "boundary"): Snapshot {
    // This runs once a second for hours, rarely hot enough for V8 to optimise it: indexed loops
    // and no spread keep the code each sample touches small (issue 16's steady bench).
    const readings: DeviceReading[] = [];
    const readers = this.readers;
    const order = this.driversLast;
    if (order === undefined) {
      for (let r = 0; r < readers.length; r += 1)
        this.readOne(readers[r] as PowerReader, nowMs, kind, readings);
      return { tMs: nowMs, readings };
    }
    const parts: DeviceReading[][] = [];
    for (let o = 0; o < order.length; o += 1) {
      const r = order[o] as number;
      const part: DeviceReading[] = [];
      this.readOne(readers[r] as PowerReader, nowMs, kind, part);
      parts[r] = part;
    }
    for (let r = 0; r < parts.length; r += 1) {
      const part = parts[r] as DeviceReading[];
      for (let i = 0; i < part.length; i += 1) readings.push(part[i] as DeviceReading);
    }
    return { tMs: nowMs, readings };
  }

  /** Reads one reader into `readings`; a failure (a throw, or an error it reports) is counted. */
  private readOne(reader: PowerReader, nowMs: number, kind: ReadKind, readings: DeviceReading[]): void {
    try {
      const read = reader.read(nowMs, kind);
      for (let i = 0; i < read.length; i += 1) {
        const reading = read[i] as DeviceReading;
        const previous = this.last.get(reading.device);
        // A counter never goes back: a reader bug or a reset must not create negative energy.
        const safe =
          previous !== undefined && reading.energyJ < previous.energyJ
            ? { ...reading, energyJ: previous.energyJ }
            : reading;
        this.last.set(reading.device, safe);
        readings.push(safe);
      }
      if (this.failing.size > 0 && this.failing.delete(reader)) {
        this.notices.push({
          level: "info",
          message: `${reader.backend} ${reader.component} readings resumed.`,
        });
      }
    } catch (error) {
      this.failedReads += 1;
      if (!this.failing.has(reader)) {
        this.failing.add(reader);
        this.notices.push({
          level: "error",
          message: `Reading ${reader.backend} ${reader.component} failed at ${new Date(nowMs).toISOString()}: ${error instanceof Error ? error.message : String(error)}. Its devices keep their last figures.`,
        });
      }
      for (const device of reader.devices()) {
        readings.push(this.last.get(device.device) ?? { device: device.device, energyJ: 0, powerW: null });
      }
    }
    const drained = reader.drainNotices?.();
    if (drained !== undefined && drained.length > 0) {
      for (let i = 0; i < drained.length; i += 1)
        if ((drained[i] as ReaderNotice).level === "error") this.failedReads += 1;
      this.notices.push(...drained);
    }
  }

  /**
   * Reads every reader now, dated at the instant the readers were given, which time-integrating
   * readers (simulated, estimate) count up to exactly and counters are read just after. A read
   * that took PAUSED_READ_MS longer than the fastest of its kind was paused (a loaded machine,
   * between the clock and a counter or after it): it is read again at once, most likely unpaused,
   * so counters and integrators agree with the date again. Paused twice, the second read is dated
   * at its middle, off by half the pause at most for a counter.
   */
  readNow(clock: () => number = Date.now, kind: ReadKind = "boundary"): Snapshot {
    const failedBefore = this.failedReads;
    const first = this.timedRead(clock, kind);
    // A read slowed by a failure (a driver call that timed out, read after every file) is not
    // read again: it would wait for the failing device again, and the files were read on time.
    if (this.failedReads > failedBefore || !this.paused(first.tookMs, kind)) return first.snapshot;
    const again = this.timedRead(clock, kind);
    if (!this.paused(again.tookMs, kind)) return again.snapshot;
    return { ...again.snapshot, tMs: Math.round(again.snapshot.tMs + again.tookMs / 2) };
  }

  private timedRead(clock: () => number, kind: ReadKind): { snapshot: Snapshot; tookMs: number } {
    const before = clock();
    const snapshot = this.read(before, kind);
    return { snapshot, tookMs: clock() - before };
  }

  /** Whether a read of `tookMs` was paused, against the fastest read of its kind (which it may become). */
  private paused(tookMs: number, kind: ReadKind): boolean {
    const fastest = this.fastestReadMs[kind];
    if (tookMs < fastest) this.fastestReadMs[kind] = tookMs;
    return tookMs > PAUSED_READ_MS + (fastest === Infinity ? 0 : fastest);
  }

  /** Notices gathered since the last call. */
  drainNotices(): ReaderNotice[] {
    const drained = this.notices;
    this.notices = [];
    return drained;
  }

  /** Closes every reader. */
  close(): void {
    for (const reader of this.readers) {
      try {
        reader.close();
      } catch {
        // Closing must never fail a run.
      }
    }
  }
}
