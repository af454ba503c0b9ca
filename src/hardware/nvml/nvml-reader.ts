// Cumulative energy per NVIDIA GPU: the hardware counter's difference where the GPU keeps one,
// else sampled power integrated. Counter GPUs integrate power too, as a cross-check. A GPU whose
// call fails keeps its last figure and says when; the others go on. It is read again at every
// read until it answers, and its counter's difference (in sampled mode, its power) then covers
// the gap, unless the code says it never will answer (nvmlErrorMayHeal) or it failed too long.
// A counter that fails keeps the power sampled since its last read too (bridgeWithSampledPower).
//
// The counter is exact but dear: nvmlDeviceGetTotalEnergyConsumption took 4 ms of CPU a call on
// an H200 (driver 580), nvmlDeviceGetPowerUsage 2 µs. So the counter is read at every boundary
// (an epoch's edges, the run's start and end), where energy must be exact, and between them only
// as often as its cost allows (anchorIntervalMs); a sample in between reads power alone and keeps
// the last exact energy. Sampled power adds energy only across a counter reset (fillResetGap)
// and up to a counter's failure.
//
// Samples may also be replayed from the sample recorder (recorded-reads.ts), which asked NVML for
// each GPU's power at the sample's date. A replay never calls NVML: a GPU then gets its recorded
// power, and the energy of its last counter read (the next live read, at least once a batch,
// reads the counter when it is due).
import type { Joules, Watts } from "../../units/index.js";
import { noteLiveOnlyCall, recordedNvmlPower, replayingRecorded } from "../recorded-reads.js";
import type { DeviceDescription, DeviceReading, PowerReader, ReadKind, ReaderNotice } from "../types.js";
import { CounterStillness } from "./counter-period.js";
import { fillResetGap } from "./counter-reset.js";
import type { InventoryGpu } from "./gpu-inventory.js";
import { NVML_SUCCESS, nvmlErrorMayHeal } from "./nvml-codes.js";
import type { EnergyResult, NvmlApi, NvmlHandle, NvmlSession } from "./nvml-library.js";
import { PowerIntegrator } from "./power-integrator.js";

/** How a GPU's energy is measured: its counter (mJ) or its sampled power (mW). */
type GpuEnergyMode = "counter" | "sampled";

/** A GPU ready to be read: checked at open, with its baseline counter value. */
export interface GpuChannelInit {
  gpu: InventoryGpu;
  description: DeviceDescription;
  mode: GpuEnergyMode;
  /** Counter value at open (mJ), for counter mode. */
  baselineMj?: bigint;
  /** Whether sampled power is integrated beside the counter. */
  crossCheck: boolean;
  /** How long the baseline's counter call took (wall ms); the reader keeps the fastest call since. */
  counterCallMs: number;
  /** The enforced power limit at open (W), when NVML reports it: bounds a reset's floor. */
  powerLimitW?: Watts;
}

interface Channel extends GpuChannelInit {
  lastMj: bigint;
  /** When the counter (in sampled mode, power) was last read (caller's clock, ms). */
  lastMs: number;
  /** The sampled integral when the counter was last read (J): fills a reset's gap. */
  sampledAtLastJ: Joules;
  /**
   * Power sampled after the last counter read, counted in `energyJ` when the counter failed
   * (J): the counter's next difference covers it too, so it is taken off that difference.
   */
  bridgedJ: Joules;
  /** The last power known (read, or the counter's mean since its previous read) and when: ends a reset's gap. */
  lastPowerW: Watts | null;
  lastPowerMs: number;
  energyJ: Joules;
  sampled: PowerIntegrator;
  stillness: CounterStillness;
  lost: boolean;
  /** Set while its calls fail with codes that may pass: since when, and how many reads failed. */
  failing: { sinceMs: number; reads: number } | undefined;
  /** Power calls of a counter GPU failed in a row with codes that may pass (the cross-check's). */
  powerFailures: number;
}

function iso(nowMs: number): string {
  return new Date(nowMs).toISOString();
}

/** Between boundaries the counter is read no more often than this (ms)... */
export const MIN_ANCHOR_INTERVAL_MS = 10_000;
/** ...and no less often (ms): a run killed between boundaries loses at most this much of its energy. */
export const MAX_ANCHOR_INTERVAL_MS = 60_000;
/** The share of time counter reads between boundaries may take: 0.05 ms a second. */
const ANCHOR_CPU_SHARE = 1 / 20_000;

/**
 * Reads a GPU's energy counter, and what the call cost (ms): the CPU the driver took where the
 * binding measures it (the proxy's round trip, or time the thread waited for the CPU on a loaded
 * machine, is no cost of the driver's), else the call's wall time.
 */
export function timedCounterRead(api: NvmlApi, handle: NvmlHandle): { energy: EnergyResult; callMs: number } {
  const started = performance.now();
  const energy = api.energyMj(handle);
  return { energy, callMs: energy.cpuMs ?? performance.now() - started };
}

/** How long samples go on power alone after a counter read that costs `callMs` (ms). */
export function anchorIntervalMs(callMs: number): number {
  return Math.min(MAX_ANCHOR_INTERVAL_MS, Math.max(MIN_ANCHOR_INTERVAL_MS, callMs / ANCHOR_CPU_SHARE));
}

/**
 * Failed reads in a row after which a GPU is lost for good, though its code may pass: ten minutes
 * at the default 1 s sampling. Hiccups (a TIMEOUT under load, NOT_READY while the driver recovers)
 * pass in seconds, and a late answer is still worth waiting for, since the counter's difference
 * covers the whole gap; a failure that lasts longer is no hiccup, and every try is a driver call
 * (4 ms of CPU on an H200, longer when it times out).
 */
export const MAX_FAILED_READS_IN_A_ROW = 600;

/** The NVML PowerReader: one channel per selected GPU. */
export class NvmlReader implements PowerReader {
  readonly backend = "nvml";
  readonly component = "gpu" as const;
  readonly callsDriver = true;
  private readonly channels: Channel[];
  private notices: ReaderNotice[] = [];
  private closed = false;

  /** Takes over `session` (released on close); `nowMs` (Unix ms) starts every integral. */
  constructor(
    private readonly session: NvmlSession,
    channels: GpuChannelInit[],
    nowMs: number,
  ) {
    this.channels = channels.map((init) => ({
      ...init,
      lastMj: init.baselineMj ?? 0n,
      lastMs: nowMs,
      sampledAtLastJ: 0,
      bridgedJ: 0,
      lastPowerW: null,
      lastPowerMs: nowMs,
      energyJ: 0,
      sampled: new PowerIntegrator(nowMs),
      stillness: new CounterStillness(),
      lost: false,
      failing: undefined,
      powerFailures: 0,
    }));
    for (const channel of this.channels) {
      if (channel.mode === "counter") channel.stillness.observe(nowMs, channel.lastMj);
    }
  }

  devices(): DeviceDescription[] {
    return this.channels.map((c) => c.description);
  }

  read(nowMs: number, kind: ReadKind = "boundary"): DeviceReading[] {
    return this.channels.map((channel) => {
      if (!channel.lost && !this.closed) {
        if (channel.mode === "counter") {
          const powerOnly = channel.crossCheck && channel.failing === undefined;
          // A sample that must read the counter (no power to cross-check with, or failing) cannot
          // be recorded; one whose anchor is due can: a live read once a batch takes the anchor.
          if (kind === "sample" && !powerOnly) noteLiveOnlyCall("nvmlDeviceGetTotalEnergyConsumption");
          // A failing counter is tried at every live read: power alone would not say it answers again.
          const reading = replayingRecorded()
            ? powerOnly
              ? this.readPowerOnly(channel, nowMs)
              : this.asOfLastCounter(channel)
            : kind === "sample" && powerOnly && !this.anchorDue(channel, nowMs)
              ? this.readPowerOnly(channel, nowMs)
              : this.readCounter(channel, nowMs);
          const periodMs = channel.stillness.longestStillMs;
          return periodMs > 0 ? { ...reading, counterUpdatePeriodMs: periodMs } : reading;
        }
        return this.readSampled(channel, nowMs);
      }
      return this.frozen(channel);
    });
  }

  drainNotices(): ReaderNotice[] {
    const drained = this.notices;
    this.notices = [];
    return drained;
  }

  /**
   * A lower bound on the energy counters' update period (ms): the longest any counter was seen
   * standing still. Windows shorter than it deserve `counterPeriodNotice`. Undefined when unknown.
   */
  counterUpdatePeriodMs(): number | undefined {
    let period = 0;
    for (const c of this.channels)
      if (c.mode === "counter") period = Math.max(period, c.stillness.longestStillMs);
    return period > 0 ? period : undefined;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.session.release();
  }

  /** Whether a sample should read the counter: the last read is older than its cost allows. */
  private anchorDue(channel: Channel, nowMs: number): boolean {
    return nowMs - channel.lastMs >= anchorIntervalMs(channel.counterCallMs);
  }

  /** @param powerFailedNow power was asked for this read already, and failed: not asked again. */
  private readCounter(channel: Channel, nowMs: number, powerFailedNow = false): DeviceReading {
    const { energy, callMs } = timedCounterRead(this.session.api, channel.gpu.handle);
    channel.counterCallMs = Math.min(channel.counterCallMs, callMs);
    if (!energy.ok) return this.fail(channel, nowMs, "nvmlDeviceGetTotalEnergyConsumption", energy.rc);
    // Through power(): a traced sample that anchors lists this GPU's power call too.
    const power = channel.crossCheck && !powerFailedNow ? (this.power(channel) ?? undefined) : undefined;
    const powerW: Watts | null = power?.ok ? power.value / 1000 : null;
    if (power && !power.ok) this.powerFailed(channel, nowMs, power.rc);
    else if (powerW !== null) {
      channel.sampled.add(nowMs, powerW);
      channel.powerFailures = 0;
    }
    const dtS = Math.max(0, nowMs - channel.lastMs) / 1000;
    const deltaMj = energy.value - channel.lastMj;
    let addedJ: Joules | null;
    let how = "were counted from the energy counter";
    if (deltaMj >= 0n) {
      addedJ = Math.max(0, Number(deltaMj) / 1000 - channel.bridgedJ);
      if (channel.bridgedJ > 0)
        how += ` (${channel.bridgedJ.toFixed(3)} J of them counted already, from sampled power)`;
    } else {
      // The gap since the previous counter read (several samples, maybe): the power sampled in it,
      // the last power known held to its end, at least what the restarted counter holds.
      const fill = fillResetGap({
        gapS: dtS,
        sampledJ: channel.sampled.energyJ - channel.sampledAtLastJ,
        lastPowerW: powerW ?? channel.lastPowerW,
        heldS:
          powerW !== null ? 0 : Math.max(0, nowMs - Math.max(channel.lastPowerMs, channel.lastMs)) / 1000,
        counterNowJ: Number(energy.value) / 1000,
        powerLimitW: channel.powerLimitW,
      });
      addedJ = fill.energyJ;
      how = `were ${fill.how} (the counter went back)`;
      const meanW = addedJ !== null && dtS > 0 ? ` (${(addedJ / dtS).toFixed(2)} W)` : "";
      this.notices.push({
        level: "warning",
        message: `The energy counter of ${channel.description.device} went back from ${channel.lastMj} to ${energy.value} mJ at ${iso(nowMs)} (driver reload or GPU reset): the ${dtS.toFixed(3)} s since the previous read are ${fill.how}${meanW}.`,
      });
    }
    if (channel.failing) this.resumed(channel, nowMs, how);
    channel.bridgedJ = 0;
    channel.energyJ += addedJ ?? 0;
    channel.lastMj = energy.value;
    channel.sampledAtLastJ = channel.sampled.energyJ;
    channel.stillness.observe(nowMs, energy.value);
    if (nowMs > channel.lastMs) channel.lastMs = nowMs;
    const reading: DeviceReading = {
      device: channel.description.device,
      energyJ: channel.energyJ,
      powerW: powerW ?? (dtS > 0 && addedJ !== null ? addedJ / dtS : null),
    };
    if (reading.powerW !== null) this.powerKnown(channel, nowMs, reading.powerW);
    if (channel.crossCheck) reading.sampledEnergyJ = channel.sampled.energyJ;
    return reading;
  }

  /**
   * A GPU's power: in a replay, the recorded call's answer (null: it was not recorded); else
   * NVML's answer now.
   */
  private power(channel: Channel): { ok: true; value: number } | { ok: false; rc: number } | null {
    const recorded = recordedNvmlPower(this.session.api.path, channel.gpu.nvmlIndex);
    if (recorded === undefined) return this.session.api.powerMw(channel.gpu.handle);
    if (recorded === null) return null;
    return recorded.rc === NVML_SUCCESS
      ? { ok: true, value: recorded.milliwatts }
      : { ok: false, rc: recorded.rc };
  }

  /** A sample between counter reads: power now, the energy of the last counter read. */
  private readPowerOnly(channel: Channel, nowMs: number): DeviceReading {
    const power = this.power(channel);
    if (power === null || !power.ok) {
      if (power !== null) this.powerFailed(channel, nowMs, power.rc);
      // A replay reads no counter: the sample goes without power.
      if (power === null || replayingRecorded()) return this.asOfLastCounter(channel);
      // This sample takes the counter (exact) instead of the power it could not have.
      noteLiveOnlyCall("nvmlDeviceGetTotalEnergyConsumption");
      return this.readCounter(channel, nowMs, true);
    }
    const powerW = power.value / 1000;
    channel.sampled.add(nowMs, powerW);
    channel.powerFailures = 0;
    this.powerKnown(channel, nowMs, powerW);
    return {
      device: channel.description.device,
      energyJ: channel.energyJ,
      powerW,
      sampledEnergyJ: channel.sampled.energyJ,
      energyAsOfMs: channel.lastMs,
    };
  }

  private powerKnown(channel: Channel, nowMs: number, powerW: Watts): void {
    channel.lastPowerW = powerW;
    channel.lastPowerMs = nowMs;
  }

  /**
   * A failed power call of a counter GPU. A code that may pass costs only this read its power
   * (the counter is read instead), so samples go back to power alone, the counter being dear, once
   * it answers; a lasting code, or MAX_FAILED_READS_IN_A_ROW failures in a row, stop the
   * cross-check for good (every sample then reads the counter).
   */
  private powerFailed(channel: Channel, nowMs: number, rc: number): void {
    channel.powerFailures += 1;
    if (!nvmlErrorMayHeal(rc) || channel.powerFailures >= MAX_FAILED_READS_IN_A_ROW) {
      this.stopCrossCheck(channel, nowMs, rc);
    }
  }

  private stopCrossCheck(channel: Channel, nowMs: number, rc: number): void {
    channel.crossCheck = false;
    this.notices.push({
      level: "warning",
      message: `The sampled-power cross-check of ${channel.description.device} stopped at ${iso(nowMs)}: nvmlDeviceGetPowerUsage returned ${this.session.api.describe(rc)}. Its energy still comes from the counter.`,
    });
  }

  private readSampled(channel: Channel, nowMs: number): DeviceReading {
    const power = this.power(channel);
    if (power === null) return this.frozen(channel);
    if (!power.ok) return this.fail(channel, nowMs, "nvmlDeviceGetPowerUsage", power.rc);
    const powerW = power.value / 1000;
    channel.sampled.add(nowMs, powerW);
    channel.energyJ = channel.sampled.energyJ;
    if (channel.failing) {
      this.resumed(
        channel,
        nowMs,
        `were counted from the power it read then (${powerW.toFixed(2)} W held over them), not measured`,
      );
    }
    if (nowMs > channel.lastMs) channel.lastMs = nowMs;
    return { device: channel.description.device, energyJ: channel.energyJ, powerW };
  }

  /** A failed call: tried again at the next read while its code may pass, else lost for good. */
  private fail(channel: Channel, nowMs: number, call: string, rc: number): DeviceReading {
    const failing = channel.failing ?? { sinceMs: nowMs, reads: 0 };
    failing.reads += 1;
    channel.failing = failing;
    const heals = nvmlErrorMayHeal(rc);
    const bridged = this.bridgeWithSampledPower(channel);
    if (heals && failing.reads > 1 && failing.reads < MAX_FAILED_READS_IN_A_ROW) return this.frozen(channel);
    const { device } = channel.description;
    const uuid = channel.gpu.uuid ? `, UUID ${channel.gpu.uuid},` : "";
    const returned = `${call} returned ${this.session.api.describe(rc)}`;
    const energy =
      `${channel.energyJ.toFixed(3)} J` +
      (bridged > 0
        ? ` (${bridged.toFixed(3)} J of it the power sampled after its last counter read, at ${iso(channel.lastMs)})`
        : "");
    let message: string;
    if (heals && failing.reads === 1) {
      message = `GPU ${device}${uuid} could not be read at ${iso(nowMs)}: ${returned}. It is read again at every read; until it answers its energy stays at ${energy}; the other devices are still measured.`;
    } else {
      channel.lost = true;
      const when = heals
        ? `still could not be read at ${iso(nowMs)}, ${failing.reads} reads in a row since ${iso(failing.sinceMs)}`
        : `could not be read at ${iso(nowMs)}`;
      message = `GPU ${device}${uuid} ${when}: ${returned}. Its energy stays at ${energy} from now on; the other devices are still measured.`;
    }
    this.notices.push({ level: "error", message });
    return this.frozen(channel);
  }

  /**
   * A counter GPU whose counter fails: the power sampled since its last counter read (the
   * cross-check's) is counted now, so the energy it kept is not lost with the counter; a
   * counter that answers again has it taken off its difference (bridgedJ). Returns the joules added.
   */
  private bridgeWithSampledPower(channel: Channel): Joules {
    if (channel.mode !== "counter") return 0;
    const sampledJ = channel.sampled.energyJ - channel.sampledAtLastJ;
    if (sampledJ <= 0) return 0;
    channel.energyJ += sampledJ;
    channel.bridgedJ += sampledJ;
    channel.sampledAtLastJ = channel.sampled.energyJ;
    return sampledJ;
  }

  /** The first good read after failed ones: says how the gap since the last reading was counted. */
  private resumed(channel: Channel, nowMs: number, how: string): void {
    const reads = channel.failing?.reads ?? 0;
    channel.failing = undefined;
    const gapS = Math.max(0, nowMs - channel.lastMs) / 1000;
    this.notices.push({
      level: "info",
      message: `GPU ${channel.description.device} readings resumed at ${iso(nowMs)} after ${reads} failed read${reads === 1 ? "" : "s"}; the ${gapS.toFixed(3)} s since its last reading ${how}.`,
    });
  }

  /** A counter GPU's reading without a call: the energy of its last counter read, no power. */
  private asOfLastCounter(channel: Channel): DeviceReading {
    return { ...this.frozen(channel), energyAsOfMs: channel.lastMs };
  }

  private frozen(channel: Channel): DeviceReading {
    const reading: DeviceReading = {
      device: channel.description.device,
      energyJ: channel.energyJ,
      powerW: null,
    };
    if (channel.mode === "counter" && channel.crossCheck) reading.sampledEnergyJ = channel.sampled.energyJ;
    return reading;
  }
}
