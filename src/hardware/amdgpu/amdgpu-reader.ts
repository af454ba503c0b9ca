// AMD GPUs through the amdgpu driver's hwmon files, no ROCm tools needed: an energy counter
// (energy1_input, µJ) where the kernel offers one, else power1_average / power1_input (µW)
// sampled on every read and integrated over time.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { microjoulesToJoules } from "../../units/index.js";
import { openTextFile, type TextFile } from "../read-text.js";
import { parseDecimalBytes } from "../digits.js";
import type {
  Backend,
  DeviceDescription,
  DeviceReading,
  OverlapOutcome,
  PowerReader,
  ReaderNotice,
} from "../types.js";
import { apuVerdict } from "./apu-overlap.js";
import { discoverAmdgpuCards, type AmdgpuCard, type AmdgpuSource } from "./discover-cards.js";
import { selectVisibleDevices } from "./visible-devices.js";

/** Default DRM sysfs root (CARBONTRACKER_DRM_ROOT overrides it). */
const DEFAULT_DRM_ROOT = "/sys/class/drm";

interface CardState {
  card: AmdgpuCard;
  source: AmdgpuSource;
  device: string;
  name: string;
  energyJ: number;
  /** Counter cards that also expose power: the integral of that power, as a cross-check (J). */
  sampledEnergyJ: number | undefined;
  powerW: number | null;
  lastCounterUj: number | null;
  lastMs: number;
  /** The card's files went away: its energy is frozen. */
  lost: boolean;
  /** A read failed and the failure was reported; cleared when reads work again. */
  failing: boolean;
  /** The hwmon files read on every sample, kept open by name. */
  files: Map<string, TextFile>;
}

/** The number in one of the card's hwmon files, the file kept open for the next read. */
function readNumber(state: CardState, name: string): number {
  let file = state.files.get(name);
  if (!file) {
    file = openTextFile(join(state.card.hwmonDir, name));
    state.files.set(name, file);
  }
  // A count (the usual hwmon value) is read from the bytes; anything else is read again as text.
  const count = file.readWith(parseDecimalBytes);
  if (count !== undefined) return count;
  const path = file.path;
  const text = file.read().trim();
  const value = Number(text);
  if (text.length === 0 || !Number.isFinite(value)) throw new Error(`${path} holds '${text}', not a number`);
  return value;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Energy of amdgpu cards from their hwmon files, as energy since open. */
export class AmdgpuReader implements PowerReader {
  readonly backend = "amdgpu";
  readonly component = "gpu" as const;
  private readonly states: CardState[] = [];
  private notices: ReaderNotice[] = [];
  /** Cards that could not be read when opening, with the reason. */
  readonly unreadable: string[] = [];

  constructor(cards: Array<AmdgpuCard & { source: AmdgpuSource }>, nowMs: number = Date.now()) {
    const baseName = (card: AmdgpuCard) => card.productName ?? `AMD GPU ${card.pciId ?? card.card}`;
    const counts = new Map<string, number>();
    for (const card of cards) counts.set(baseName(card), (counts.get(baseName(card)) ?? 0) + 1);
    for (const card of cards) {
      const name = baseName(card);
      const state: CardState = {
        card,
        source: card.source,
        device: (counts.get(name) ?? 0) > 1 ? `${name} (${card.card})` : name,
        name,
        energyJ: 0,
        sampledEnergyJ: card.source.kind === "counter" && card.source.powerFile ? 0 : undefined,
        powerW: null,
        lastCounterUj: null,
        lastMs: nowMs,
        lost: false,
        failing: false,
        files: new Map(),
      };
      try {
        if (state.source.kind === "counter") {
          state.lastCounterUj = readNumber(state, state.source.file);
          if (state.source.powerFile) state.powerW = readNumber(state, state.source.powerFile) / 1e6;
        } else {
          state.powerW = readNumber(state, state.source.file) / 1e6;
        }
        this.states.push(state);
      } catch (error) {
        closeFiles(state);
        this.unreadable.push(`${card.card}: ${errorText(error)}`);
      }
    }
  }

  devices(): DeviceDescription[] {
    return this.states.map((s) => ({
      component: this.component,
      device: s.device,
      name: s.name,
      provenance: s.source.kind,
      details: {
        card: s.card.card,
        pci_id: s.card.pciId,
        pci_slot: s.card.pciSlot,
        unique_id: s.card.uniqueId,
        hwmon: s.card.hwmonDir,
        source: s.source.file,
        power_cap_w: s.card.powerCapW,
      },
    }));
  }

  read(nowMs: number): DeviceReading[] {
    return this.states.map((state) => {
      if (!state.lost) this.update(state, nowMs);
      const reading: DeviceReading = {
        device: state.device,
        energyJ: state.energyJ,
        powerW: state.lost ? null : state.powerW,
      };
      if (state.sampledEnergyJ !== undefined) reading.sampledEnergyJ = state.sampledEnergyJ;
      return reading;
    });
  }

  private update(state: CardState, nowMs: number): void {
    const dtS = Math.max(0, nowMs - state.lastMs) / 1000;
    const dir = state.card.hwmonDir;
    try {
      if (state.source.kind === "counter") {
        const counterUj = readNumber(state, state.source.file);
        const deltaUj = state.lastCounterUj === null ? 0 : counterUj - state.lastCounterUj;
        if (deltaUj >= 0) {
          state.energyJ += microjoulesToJoules(deltaUj);
        } else {
          // A driver reload resets the counter: that interval is dropped rather than made negative.
          this.notices.push({
            level: "warning",
            message: `${state.device} (${state.card.card}) energy counter went back from ${state.lastCounterUj} to ${counterUj} µJ (driver reset?): the energy of that interval is not counted.`,
          });
        }
        state.lastCounterUj = counterUj;
        if (state.source.powerFile && state.sampledEnergyJ !== undefined) {
          state.powerW = readNumber(state, state.source.powerFile) / 1e6;
          state.sampledEnergyJ += state.powerW * dtS;
        }
      } else {
        const powerW = readNumber(state, state.source.file) / 1e6;
        // power1_average is already the average over the recent window; power1_input is an
        // instant, so its interval takes the mean of both ends.
        const meanW =
          state.source.file === "power1_input" && state.powerW !== null
            ? (state.powerW + powerW) / 2
            : powerW;
        state.energyJ += meanW * dtS;
        state.powerW = powerW;
      }
      if (state.failing) {
        state.failing = false;
        this.notices.push({
          level: "info",
          message: `${state.device} (${state.card.card}) is readable again.`,
        });
      }
    } catch (error) {
      const at = new Date(nowMs).toISOString();
      if (!existsSync(dir)) {
        state.lost = true;
        closeFiles(state);
        this.notices.push({
          level: "warning",
          message: `${state.device} (${state.card.card}) vanished at ${at} (${dir} is gone): its energy stays at ${state.energyJ.toFixed(3)} J; other GPUs are still measured.`,
        });
      } else if (!state.failing) {
        // A runtime-suspended card refuses reads (EPERM): sampled power counts nothing until it
        // answers again; a counter keeps its last value and covers the gap on the next good read.
        state.failing = true;
        state.powerW = null;
        this.notices.push({
          level: "warning",
          message: `Reading ${state.device} (${state.card.card}) failed at ${at}: ${errorText(error)}. No energy is counted for it until a read works again.`,
        });
      }
    }
    state.lastMs = nowMs;
  }

  /** APUs whose socket the CPU's RAPL package counts are dropped; every APU gets a warning. */
  excludeOverlaps(others: readonly PowerReader[]): OverlapOutcome {
    const notices: ReaderNotice[] = [];
    const dropped: string[] = [];
    for (const state of this.states.filter((s) => s.card.apu)) {
      const verdict = apuVerdict(`${state.device} (${state.card.card})`, others);
      notices.push(verdict.notice);
      if (!verdict.drop) continue;
      closeFiles(state);
      this.states.splice(this.states.indexOf(state), 1);
      dropped.push(state.card.card);
    }
    if (this.states.length > 0 || dropped.length === 0) return { notices };
    return {
      notices,
      emptyReason: `${dropped.join(", ")}: an APU, whose socket the CPU's RAPL package already counts`,
    };
  }

  drainNotices(): ReaderNotice[] {
    const drained = this.notices;
    this.notices = [];
    return drained;
  }

  close(): void {
    for (const state of this.states) closeFiles(state);
  }
}

function closeFiles(state: CardState): void {
  for (const file of state.files.values()) file.close();
  state.files.clear();
}

/** The amdgpu backend: every visible amdgpu card under CARBONTRACKER_DRM_ROOT with a power or energy file. */
export const amdgpuBackend: Backend = {
  id: "amdgpu",
  component: "gpu",
  open(context) {
    const drmRoot = context.env.CARBONTRACKER_DRM_ROOT ?? DEFAULT_DRM_ROOT;
    const skip = (reason: string) => ({ skip: { backend: "amdgpu", component: "gpu" as const, reason } });
    let cards: AmdgpuCard[];
    try {
      cards = discoverAmdgpuCards(drmRoot);
    } catch (error) {
      return skip(`cannot list ${drmRoot}: ${errorText(error)}`);
    }
    if (cards.length === 0) return skip(`no card*/device/hwmon/hwmon* with name 'amdgpu' under ${drmRoot}`);
    const notices: ReaderNotice[] = [];
    const selection = selectVisibleDevices(cards, context.env, (card) => card.uniqueId);
    for (const warning of selection.warnings) notices.push({ level: "warning", message: warning });
    if (selection.visible.length === 0) {
      return {
        skip: {
          backend: "amdgpu",
          component: "gpu",
          reason: `${selection.applied.join(" ")} leaves none of the AMD GPUs (${cards.map((c) => c.card).join(", ")}) visible`,
        },
        notices,
      };
    }
    const usable = selection.visible.filter(
      (c): c is AmdgpuCard & { source: AmdgpuSource } => c.source !== null,
    );
    for (const card of selection.visible) {
      if (card.source === null) {
        notices.push({
          level: "warning",
          message: `AMD GPU ${card.card} is not measured: ${card.hwmonDir} has no readable energy1_input, power1_average or power1_input.`,
        });
      }
    }
    const reader = new AmdgpuReader(usable);
    for (const reason of reader.unreadable) {
      notices.push({ level: "warning", message: `AMD GPU ${reason}; it is not measured.` });
    }
    if (reader.devices().length === 0) {
      return {
        skip: {
          backend: "amdgpu",
          component: "gpu",
          reason: `no amdgpu card under ${drmRoot} has a readable energy or power file (${[...reader.unreadable, ...selection.visible.filter((c) => c.source === null).map((c) => `${c.card}: no energy1_input/power1_average/power1_input`)].join("; ")})`,
        },
        notices,
      };
    }
    if (context.devicesByPid) {
      notices.push({
        level: "info",
        message: "devicesByPid: amdgpu sysfs has no per-process view, so every visible AMD GPU is measured.",
      });
    }
    return { reader, notices };
  },
};
