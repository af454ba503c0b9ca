// Cumulative CPU package and DRAM energy from RAPL counters: each read differences every zone's
// energy_uj against the previous read (wrap-around included). A zone that fails keeps its energy
// and says so; the others go on. A zone with no energy_uj of its own is read through its MMIO
// twin, else is the sum of its subzones' counters, each differenced and wrapped on its own.
import { join } from "node:path";
import type { DeviceDescription, DeviceReading, PowerReader, ReaderNotice } from "../types.js";
import { microjoulesToJoules } from "../../units/index.js";
import { counterDeltaUj } from "./counter-delta.js";
import { parseDecimalBytes } from "../digits.js";
import type { TextFile } from "../read-text.js";
import { parentZoneId, type PowercapZone } from "./powercap-zones.js";
import { errorCode, nodePowercapFiles, openCounterFile, type PowercapFiles } from "./powercap-files.js";
import { ASSUMED_RANGE_UJ, safeReadIntervalMs, type PeakPower } from "./read-interval.js";
import type { MeasuredZone } from "./zone-selection.js";

/** Power is computed over at least this window, so back-to-back boundary reads give no noise (ms). */
const MIN_POWER_WINDOW_MS = 100;

/** A counter that has not moved for this long is reported once: a package never draws 0 W (ms). */
const STUCK_COUNTER_WARNING_MS = 30_000;

/** Error codes that mean the zone itself is gone (module unloaded, CPU hot-unplugged). */
const GONE_CODES = new Set(["ENOENT", "ENODEV", "ENXIO"]);

/** One energy_uj counter as the reader opens it. */
export interface RaplCounterSpec {
  /** The zone holding the counter: the measured zone itself, or one of its subzones. */
  zone: PowercapZone;
  /** Counter range (µJ); undefined when max_energy_range_uj was unreadable (wraps then cannot be corrected). */
  maxRangeUj: number | undefined;
  peak: PeakPower;
  /** The counter's value at open (µJ). */
  initialUj: number;
}

/** One measured zone as the reader opens it. */
export interface RaplDeviceSpec {
  zone: MeasuredZone;
  /**
   * The zone's own counter; when it has no energy_uj, its intel-rapl-mmio twin's; else its
   * subzones' counters, whose sum it is.
   */
  counters: RaplCounterSpec[];
}

/** Whether a device is measured as the sum of its zone's subzones. */
export function isSubzoneSum(spec: RaplDeviceSpec): boolean {
  return spec.counters.some((counter) => parentZoneId(counter.zone) === spec.zone.zone.id);
}

/** The intel-rapl-mmio zone whose counter a device reads in place of its own, or undefined. */
export function mmioTwinOf(spec: RaplDeviceSpec): PowercapZone | undefined {
  const [counter] = spec.counters;
  const zone = spec.zone.zone;
  return counter !== undefined && counter.zone !== zone && parentZoneId(counter.zone) !== zone.id
    ? counter.zone
    : undefined;
}

/** `intel-rapl:0:0 core + intel-rapl:0:1 uncore`: the subzones summed for a device. */
export function summedZonesText(spec: RaplDeviceSpec): string {
  return spec.counters.map((c) => `${c.zone.id}${c.zone.name ? ` ${c.zone.name}` : ""}`).join(" + ");
}

interface CounterState {
  spec: RaplCounterSpec;
  /** energy_uj, kept open between reads. */
  file: TextFile;
  lastUj: number;
  /** This read's value, held until every counter of the device has read. */
  readUj: number | undefined;
}

interface DeviceState {
  spec: RaplDeviceSpec;
  counters: CounterState[];
  totalUj: number;
  powerW: number | null;
  powerRef: { uj: number; ms: number };
  lastChangeMs: number;
  /** When the counter was last read successfully (ms). */
  lastReadMs: number;
  status: "ok" | "failing" | "lost";
  warnedBackwards: boolean;
  warnedStuck: boolean;
}

/** Reads RAPL zones opened by the rapl backend. */
export class RaplReader implements PowerReader {
  readonly backend = "rapl";
  readonly component = "cpu" as const;
  private readonly states: DeviceState[];
  private notices: ReaderNotice[] = [];

  /**
   * @param specs zones to read, in device order
   * @param openedAtMs Unix ms of the initial counter values
   * @param files file access (the real file system by default)
   */
  constructor(specs: RaplDeviceSpec[], openedAtMs: number, files: PowercapFiles = nodePowercapFiles) {
    this.states = specs.map((spec) => ({
      spec,
      counters: spec.counters.map((counter) => ({
        spec: counter,
        file: openCounterFile(files, join(counter.zone.path, "energy_uj")),
        lastUj: counter.initialUj,
        readUj: undefined,
      })),
      totalUj: 0,
      powerW: null,
      powerRef: { uj: 0, ms: openedAtMs },
      lastChangeMs: openedAtMs,
      lastReadMs: openedAtMs,
      status: "ok",
      warnedBackwards: false,
      warnedStuck: false,
    }));
  }

  devices(): DeviceDescription[] {
    return this.states.map(({ spec }) => {
      const zone = spec.zone.zone;
      const counterDetails = (counter: RaplCounterSpec) => ({
        max_energy_range_uj: counter.maxRangeUj ?? null,
        peak_power_w: counter.peak.watts,
        peak_power_source: counter.peak.source,
      });
      const summed = isSubzoneSum(spec);
      const twin = mmioTwinOf(spec);
      let name = `${zone.name ?? spec.zone.domain} (${zone.id})`;
      if (summed) {
        name = `${zone.name ?? spec.zone.domain} (${zone.id}, no energy_uj: sum of its subzones ${summedZonesText(spec)})`;
      } else if (twin) {
        name = `${zone.name ?? spec.zone.domain} (${zone.id}, no energy_uj: read through its MMIO twin ${twin.id})`;
      }
      return {
        component: "cpu",
        device: spec.zone.device,
        name,
        provenance: "counter",
        details: {
          zone: zone.id,
          domain: spec.zone.domain,
          path: zone.path,
          ...(twin ? { mmio_twin: { zone: twin.id, path: twin.path } } : {}),
          ...(summed
            ? {
                summed_subzones: spec.counters.map((c) => ({
                  zone: c.zone.id,
                  path: c.zone.path,
                  ...counterDetails(c),
                })),
              }
            : counterDetails(spec.counters[0]!)),
        },
      };
    });
  }

  /** Longest read interval at which no wrap of any live counter can be missed (ms). */
  maxReadIntervalMs(): number | undefined {
    const live = this.states.filter((s) => s.status !== "lost");
    if (live.length === 0) return undefined;
    return Math.min(
      ...live.flatMap((s) =>
        s.spec.counters.map((c) => safeReadIntervalMs(c.maxRangeUj ?? ASSUMED_RANGE_UJ, c.peak.watts)),
      ),
    );
  }

  read(nowMs: number): DeviceReading[] {
    return this.states.map((state) => {
      if (state.status !== "lost") this.readOne(state, nowMs);
      return {
        device: state.spec.zone.device,
        energyJ: microjoulesToJoules(state.totalUj),
        powerW: state.status === "ok" ? state.powerW : null,
      };
    });
  }

  drainNotices(): ReaderNotice[] {
    const drained = this.notices;
    this.notices = [];
    return drained;
  }

  close(): void {
    for (const state of this.states) for (const counter of state.counters) counter.file.close();
  }

  private readOne(state: DeviceState, nowMs: number): void {
    const { device } = state.spec.zone;
    const counters = state.counters;
    // Every counter is read before any is counted: a device that cannot read all of its counters
    // keeps its energy rather than go on as a partial sum. (This runs once a second: indexed
    // loops, no closure and no string unless a notice is due keep what a sample touches small.)
    for (let i = 0; i < counters.length; i += 1) {
      const counter = counters[i] as CounterState;
      let failure: unknown;
      try {
        counter.readUj = counter.file.readWith(parseDecimalBytes);
        if (counter.readUj === undefined) failure = new Error("not a count of microjoules");
      } catch (error) {
        counter.readUj = undefined;
        failure = error;
      }
      if (counter.readUj === undefined) {
        this.readFailed(state, counter, failure, nowMs);
        return;
      }
    }
    if (state.status === "failing") {
      state.status = "ok";
      this.notices.push({
        level: "info",
        message: `${counterFilesText(state)} (${device}) reads again since ${new Date(nowMs).toISOString()}.`,
      });
    }
    // Twice the peak power over the time since the last good read bounds a real wrap's energy.
    const sinceS = Math.max(0, nowMs - state.lastReadMs) / 1000;
    let deltaUj = 0;
    let intervalLost = false;
    for (let i = 0; i < counters.length; i += 1) {
      const counter = counters[i] as CounterState;
      const nowUj = counter.readUj as number;
      const plausibleUj = 2 * counter.spec.peak.watts * Math.max(sinceS, 0.001) * 1_000_000;
      const partDeltaUj = counterDeltaUj(counter.lastUj, nowUj, counter.spec.maxRangeUj, plausibleUj);
      counter.lastUj = nowUj;
      if (partDeltaUj !== undefined) {
        deltaUj += partDeltaUj;
        continue;
      }
      intervalLost = true;
      if (!state.warnedBackwards) {
        state.warnedBackwards = true;
        this.notices.push({
          level: "warning",
          message: `${counter.file.path} (${device}) went back at ${new Date(nowMs).toISOString()} and its max_energy_range_uj is unknown: the energy of that interval is left out.`,
        });
      }
    }
    state.lastReadMs = nowMs;
    state.totalUj += deltaUj;
    if (intervalLost) return;
    if (deltaUj > 0) state.lastChangeMs = nowMs;
    const windowMs = nowMs - state.powerRef.ms;
    if (windowMs >= MIN_POWER_WINDOW_MS) {
      state.powerW = microjoulesToJoules(state.totalUj - state.powerRef.uj) / (windowMs / 1000);
      state.powerRef = { uj: state.totalUj, ms: nowMs };
    }
    if (!state.warnedStuck && nowMs - state.lastChangeMs >= STUCK_COUNTER_WARNING_MS) {
      state.warnedStuck = true;
      this.notices.push({
        level: "warning",
        message: `${counterFilesText(state)} (${device}) has not changed for ${Math.round((nowMs - state.lastChangeMs) / 1000)} s: this RAPL counter may not be implemented here (virtual machine?), so ${device} may read 0 J.`,
      });
    }
  }

  private readFailed(state: DeviceState, counter: CounterState, failure: unknown, nowMs: number): void {
    const { device } = state.spec.zone;
    const at = new Date(nowMs).toISOString();
    const kept = `${device} keeps the ${microjoulesToJoules(state.totalUj).toFixed(3)} J measured so far`;
    if (GONE_CODES.has(errorCode(failure) ?? "")) {
      state.status = "lost";
      this.notices.push({
        level: "warning",
        message: `RAPL zone ${counter.spec.zone.id} (${device}) vanished at ${at}: ${counter.file.path} is gone. ${kept}; the other devices go on.`,
      });
    } else if (state.status === "ok") {
      state.status = "failing";
      this.notices.push({
        level: "warning",
        message: `Reading ${counter.file.path} (${device}) failed at ${at}: ${describe(failure)}. ${kept} until it reads again.`,
      });
    }
  }
}

/** The energy_uj files of a device, `a + b` where it is a sum of subzones. */
function counterFilesText(state: DeviceState): string {
  return state.counters.map((counter) => counter.file.path).join(" + ");
}

function describe(error: unknown): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return code === undefined || message.includes(code) ? message : `${code}: ${message}`;
}
