// Cumulative energy per NVIDIA GPU: the hardware counter's difference where the GPU keeps one,
// else sampled power integrated. Counter GPUs integrate power too, as a cross-check. A GPU that
// stops answering keeps its last figure and says when; the others go on.
import type { Joules, Watts } from "../../units/index.js";
import type { DeviceDescription, DeviceReading, PowerReader, ReaderNotice } from "../types.js";
import { CounterStillness } from "./counter-period.js";
import type { InventoryGpu } from "./gpu-inventory.js";
import type { NvmlSession } from "./nvml-library.js";
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
}

interface Channel extends GpuChannelInit {
  lastMj: bigint;
  lastMs: number;
  energyJ: Joules;
  sampled: PowerIntegrator;
  stillness: CounterStillness;
  lost: boolean;
}

function iso(nowMs: number): string {
  return new Date(nowMs).toISOString();
}

/** The NVML PowerReader: one channel per selected GPU. */
export class NvmlReader implements PowerReader {
  readonly backend = "nvml";
  readonly component = "gpu" as const;
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
      energyJ: 0,
      sampled: new PowerIntegrator(nowMs),
      stillness: new CounterStillness(),
      lost: false,
    }));
    for (const channel of this.channels) {
      if (channel.mode === "counter") channel.stillness.observe(nowMs, channel.lastMj);
    }
  }

  devices(): DeviceDescription[] {
    return this.channels.map((c) => c.description);
  }

  read(nowMs: number): DeviceReading[] {
    return this.channels.map((channel) => {
      if (!channel.lost && !this.closed) {
        if (channel.mode === "counter") {
          const reading = this.readCounter(channel, nowMs);
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

  private readCounter(channel: Channel, nowMs: number): DeviceReading {
    const api = this.session.api;
    const energy = api.energyMj(channel.gpu.handle);
    if (!energy.ok) return this.lose(channel, nowMs, "nvmlDeviceGetTotalEnergyConsumption", energy.rc);
    const power = channel.crossCheck ? api.powerMw(channel.gpu.handle) : undefined;
    const powerW: Watts | null = power?.ok ? power.value / 1000 : null;
    const dtS = Math.max(0, nowMs - channel.lastMs) / 1000;
    const deltaMj = energy.value - channel.lastMj;
    let addedJ: Joules;
    if (deltaMj >= 0n) {
      addedJ = Number(deltaMj) / 1000;
    } else {
      addedJ = powerW !== null ? powerW * dtS : 0;
      this.notices.push({
        level: "warning",
        message: `The energy counter of ${channel.description.device} went back from ${channel.lastMj} to ${energy.value} mJ at ${iso(nowMs)} (driver reload or GPU reset): the ${dtS.toFixed(3)} s since the previous read ${powerW !== null ? `are counted from sampled power (${powerW.toFixed(2)} W)` : "are not counted"}.`,
      });
    }
    channel.energyJ += addedJ;
    channel.lastMj = energy.value;
    channel.stillness.observe(nowMs, energy.value);
    if (power && !power.ok) {
      channel.crossCheck = false;
      this.notices.push({
        level: "warning",
        message: `The sampled-power cross-check of ${channel.description.device} stopped at ${iso(nowMs)}: nvmlDeviceGetPowerUsage returned ${api.describe(power.rc)}. Its energy still comes from the counter.`,
      });
    } else if (powerW !== null) {
      channel.sampled.add(nowMs, powerW);
    }
    if (nowMs > channel.lastMs) channel.lastMs = nowMs;
    const reading: DeviceReading = {
      device: channel.description.device,
      energyJ: channel.energyJ,
      powerW: powerW ?? (dtS > 0 ? addedJ / dtS : null),
    };
    if (channel.crossCheck) reading.sampledEnergyJ = channel.sampled.energyJ;
    return reading;
  }

  private readSampled(channel: Channel, nowMs: number): DeviceReading {
    const power = this.session.api.powerMw(channel.gpu.handle);
    if (!power.ok) return this.lose(channel, nowMs, "nvmlDeviceGetPowerUsage", power.rc);
    const powerW = power.value / 1000;
    channel.sampled.add(nowMs, powerW);
    channel.energyJ = channel.sampled.energyJ;
    return { device: channel.description.device, energyJ: channel.energyJ, powerW };
  }

  private lose(channel: Channel, nowMs: number, call: string, rc: number): DeviceReading {
    channel.lost = true;
    const { device } = channel.description;
    const uuid = channel.gpu.uuid ? `, UUID ${channel.gpu.uuid},` : "";
    this.notices.push({
      level: "error",
      message: `GPU ${device}${uuid} could not be read at ${iso(nowMs)}: ${call} returned ${this.session.api.describe(rc)}. Its energy stays at ${channel.energyJ.toFixed(3)} J from now on; the other devices are still measured.`,
    });
    return this.frozen(channel);
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
