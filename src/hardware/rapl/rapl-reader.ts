// Cumulative CPU package and DRAM energy from RAPL counters: each read differences every zone's
// energy_uj against the previous read (wrap-around included). A zone that fails keeps its energy
// and says so; the others go on.
import { join } from "node:path";
import type { DeviceDescription, DeviceReading, PowerReader, ReaderNotice } from "../types.js";
import { microjoulesToJoules } from "../../units/index.js";
import { counterDeltaUj } from "./counter-delta.js";
import { parseDecimalBytes } from "../digits.js";
import type { TextFile } from "../read-text.js";
import { errorCode, nodePowercapFiles, openCounterFile, type PowercapFiles } from "./powercap-files.js";
import { ASSUMED_RANGE_UJ, safeReadIntervalMs, type PeakPower } from "./read-interval.js";
import type { MeasuredZone } from "./zone-selection.js";

/** Power is computed over at least this window, so back-to-back boundary reads give no noise (ms). */
const MIN_POWER_WINDOW_MS = 100;

/** A counter that has not moved for this long is reported once: a package never draws 0 W (ms). */
const STUCK_COUNTER_WARNING_MS = 30_000;

/** Error codes that mean the zone itself is gone (module unloaded, CPU hot-unplugged). */
const GONE_CODES = new Set(["ENOENT", "ENODEV", "ENXIO"]);

/** One measured zone as the reader opens it. */
export interface RaplDeviceSpec {
  zone: MeasuredZone;
  /** Counter range (µJ); undefined when max_energy_range_uj was unreadable (wraps then cannot be corrected). */
  maxRangeUj: number | undefined;
  peak: PeakPower;
  /** The counter's value at open (µJ). */
  initialUj: number;
}

interface DeviceState {
  spec: RaplDeviceSpec;
  /** energy_uj, kept open between reads. */
  energyFile: TextFile;
  lastUj: number;
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
    this.states = specs.map((spec) => {
      const energyPath = join(spec.zone.zone.path, "energy_uj");
      return {
        spec,
        energyFile: openCounterFile(files, energyPath),
        lastUj: spec.initialUj,
        totalUj: 0,
        powerW: null,
        powerRef: { uj: 0, ms: openedAtMs },
        lastChangeMs: openedAtMs,
        lastReadMs: openedAtMs,
        status: "ok",
        warnedBackwards: false,
        warnedStuck: false,
      };
    });
  }

  devices(): DeviceDescription[] {
    return this.states.map(({ spec }) => ({
      component: "cpu",
      device: spec.zone.device,
      name: `${spec.zone.zone.name ?? spec.zone.domain} (${spec.zone.zone.id})`,
      provenance: "counter",
      details: {
        zone: spec.zone.zone.id,
        domain: spec.zone.domain,
        path: spec.zone.zone.path,
        max_energy_range_uj: spec.maxRangeUj ?? null,
        peak_power_w: spec.peak.watts,
        peak_power_source: spec.peak.source,
      },
    }));
  }

  /** Longest read interval at which no wrap of any live counter can be missed (ms). */
  maxReadIntervalMs(): number | undefined {
    const live = this.states.filter((s) => s.status !== "lost");
    if (live.length === 0) return undefined;
    return Math.min(
      ...live.map((s) => safeReadIntervalMs(s.spec.maxRangeUj ?? ASSUMED_RANGE_UJ, s.spec.peak.watts)),
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
    for (const state of this.states) state.energyFile.close();
  }

  private readOne(state: DeviceState, nowMs: number): void {
    const { device } = state.spec.zone;
    let nowUj: number | undefined;
    let failure: unknown;
    try {
      nowUj = state.energyFile.readWith(parseDecimalBytes);
      if (nowUj === undefined) failure = new Error("not a count of microjoules");
    } catch (error) {
      failure = error;
    }
    if (nowUj === undefined) {
      const at = new Date(nowMs).toISOString();
      const kept = `${device} keeps the ${microjoulesToJoules(state.totalUj).toFixed(3)} J measured so far`;
      if (GONE_CODES.has(errorCode(failure) ?? "")) {
        state.status = "lost";
        this.notices.push({
          level: "warning",
          message: `RAPL zone ${state.spec.zone.zone.id} (${device}) vanished at ${at}: ${state.energyFile.path} is gone. ${kept}; the other devices go on.`,
        });
      } else if (state.status === "ok") {
        state.status = "failing";
        this.notices.push({
          level: "warning",
          message: `Reading ${state.energyFile.path} (${device}) failed at ${at}: ${describe(failure)}. ${kept} until it reads again.`,
        });
      }
      return;
    }
    if (state.status === "failing") {
      state.status = "ok";
      this.notices.push({
        level: "info",
        message: `${state.energyFile.path} (${device}) reads again since ${new Date(nowMs).toISOString()}.`,
      });
    }
    // Twice the peak power over the time since the last good read bounds a real wrap's energy.
    const sinceS = Math.max(0, nowMs - state.lastReadMs) / 1000;
    const plausibleUj = 2 * state.spec.peak.watts * Math.max(sinceS, 0.001) * 1_000_000;
    const deltaUj = counterDeltaUj(state.lastUj, nowUj, state.spec.maxRangeUj, plausibleUj);
    state.lastUj = nowUj;
    state.lastReadMs = nowMs;
    if (deltaUj === undefined) {
      if (!state.warnedBackwards) {
        state.warnedBackwards = true;
        this.notices.push({
          level: "warning",
          message: `${state.energyFile.path} (${device}) went back at ${new Date(nowMs).toISOString()} and its max_energy_range_uj is unknown: the energy of that interval is left out.`,
        });
      }
      return;
    }
    state.totalUj += deltaUj;
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
        message: `${state.energyFile.path} (${device}) has not changed for ${Math.round((nowMs - state.lastChangeMs) / 1000)} s: this RAPL counter may not be implemented here (virtual machine?), so ${device} may read 0 J.`,
      });
    }
  }
}

function describe(error: unknown): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return code === undefined || message.includes(code) ? message : `${code}: ${message}`;
}
