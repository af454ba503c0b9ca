// Turns powermetrics samples into cumulative joules. Each sample is the average power over the
// window its header states ("(1003.12ms elapsed)"), so a sample adds power × elapsed exactly once,
// when its power line arrives. Between samples the last power is held (up to a cap) so that a
// read at an epoch boundary already counts the part of the window that has passed.
import type { Joules, Watts } from "../../units/index.js";
import type { PowermetricsDevice } from "./parse-text.js";

/** One device's integral at an instant. */
export interface DeviceIntegral {
  energyJ: Joules;
  /** The last sample's power (W); null before the first sample or once the stream is lost. */
  powerW: Watts | null;
}

interface DeviceState {
  /** Σ power × elapsed over the samples received (J). */
  exactJ: number;
  powerW: number | null;
  /** When the last power line arrived (caller's clock, ms): the start of the held-power part. */
  atMs: number;
  source: string;
}

/** Integrates per-sample average powers of several devices. */
export class SampleIntegrator {
  private readonly states = new Map<PowermetricsDevice, DeviceState>();
  private seenInSample = new Set<PowermetricsDevice>();
  private inSample = false;
  private elapsedS = 0;
  private lastHeaderMs: number | null = null;
  private holding = true;

  /**
   * @param maxHoldMs - longest time the last power is held past its sample (ms); a late or stopped
   * powermetrics must not make energy grow without bound.
   */
  constructor(private readonly maxHoldMs: number) {}

  /** A sample header arrived at `nowMs`; `elapsedMs` is its window (null: use the time since the last header). */
  startSample(elapsedMs: number | null, nowMs: number): void {
    if (this.inSample) {
      // A device the previous sample did not print drew nothing in it (the original reads 0 W).
      for (const [device, state] of this.states) {
        if (!this.seenInSample.has(device)) this.settle(state, 0, nowMs);
      }
    }
    const fallbackMs = this.lastHeaderMs === null ? 0 : Math.max(0, nowMs - this.lastHeaderMs);
    this.elapsedS = (elapsedMs ?? fallbackMs) / 1000;
    this.lastHeaderMs = nowMs;
    this.seenInSample = new Set();
    this.inSample = true;
    this.holding = true;
  }

  /** A power line arrived; only the first line per device and sample counts (a GPU section repeats it). */
  addPower(device: PowermetricsDevice, powerW: Watts, source: string, nowMs: number): void {
    if (!this.inSample || this.seenInSample.has(device)) return;
    this.seenInSample.add(device);
    const state = this.states.get(device) ?? { exactJ: 0, powerW: null, atMs: nowMs, source };
    state.exactJ += powerW * this.elapsedS;
    state.source = source;
    this.settle(state, powerW, nowMs);
    this.states.set(device, state);
  }

  private settle(state: DeviceState, powerW: number, nowMs: number): void {
    state.powerW = powerW;
    state.atMs = nowMs;
  }

  /**
   * The stream stopped at `nowMs` (powermetrics exited): the held power until then becomes part of
   * the exact sum, and nothing is held from now on until the next sample.
   */
  commit(nowMs: number): void {
    for (const state of this.states.values()) {
      state.exactJ += this.heldJ(state, nowMs);
      state.atMs = nowMs;
    }
    this.inSample = false;
    this.holding = false;
  }

  private heldJ(state: DeviceState, nowMs: number): number {
    if (!this.holding || state.powerW === null) return 0;
    const heldMs = Math.min(this.maxHoldMs, Math.max(0, nowMs - state.atMs));
    return (state.powerW * heldMs) / 1000;
  }

  /** Devices that have printed a power line so far. */
  devices(): PowermetricsDevice[] {
    return [...this.states.keys()];
  }

  /** Which line a device's power comes from. */
  sourceOf(device: PowermetricsDevice): string | undefined {
    return this.states.get(device)?.source;
  }

  /** Cumulative energy of a device at `nowMs`, held power included (0 J for a device never printed). */
  valueAt(device: PowermetricsDevice, nowMs: number): DeviceIntegral {
    const state = this.states.get(device);
    if (!state) return { energyJ: 0, powerW: null };
    return { energyJ: state.exactJ + this.heldJ(state, nowMs), powerW: this.holding ? state.powerW : null };
  }
}
