// The original's simulated components: constant power = rated watts × utilisation. Energy is
// exact (power × elapsed time), so an epoch of any length gets its real share.
import type { Backend, Component, DeviceReading, PowerReader } from "../types.js";

/** Default utilisation when none is given (the original's 0.5). */
const DEFAULT_SIMULATED_UTILISATION = 0.5;

/** A device drawing constant power, for users without hardware access and for tests. */
class SimulatedReader implements PowerReader {
  readonly backend = "simulated";
  private readonly openedAtMs: number;

  constructor(
    readonly component: Component,
    private readonly deviceName: string,
    readonly ratedWatts: number,
    readonly utilisation: number,
    nowMs: number = Date.now(),
  ) {
    this.openedAtMs = nowMs;
  }

  /** Power drawn: rated watts × utilisation. */
  get powerW(): number {
    return this.ratedWatts * this.utilisation;
  }

  devices() {
    return [
      {
        component: this.component,
        device: this.deviceName,
        name: this.deviceName,
        provenance: "simulated" as const,
        details: { rated_w: this.ratedWatts, utilisation: this.utilisation },
      },
    ];
  }

  read(nowMs: number): DeviceReading[] {
    const elapsedS = Math.max(0, nowMs - this.openedAtMs) / 1000;
    return [{ device: this.deviceName, energyJ: this.powerW * elapsedS, powerW: this.powerW }];
  }

  close(): void {}
}

/** The simulated CPU backend: opens only when `simCpu` is set. */
export const simulatedCpuBackend: Backend = {
  id: "simulated",
  component: "cpu",
  open(context) {
    if (context.simCpu === undefined) {
      return { skip: { backend: "simulated", component: "cpu", reason: "simCpu not set" } };
    }
    const util = context.simCpuUtil ?? DEFAULT_SIMULATED_UTILISATION;
    const reader = new SimulatedReader("cpu", context.simCpu, context.simCpuTdp ?? 0, util);
    return {
      reader,
      notices: [
        {
          level: "info",
          console: true,
          message: `Using simulated CPU: ${context.simCpu} with TDP: ${reader.powerW.toFixed(2)}W (at ${Math.round(util * 100)}% utilization)`,
        },
      ],
    };
  },
};

/** The simulated GPU backend: opens only when `simGpu` is set. */
export const simulatedGpuBackend: Backend = {
  id: "simulated",
  component: "gpu",
  open(context) {
    if (context.simGpu === undefined) {
      return { skip: { backend: "simulated", component: "gpu", reason: "simGpu not set" } };
    }
    const util = context.simGpuUtil ?? DEFAULT_SIMULATED_UTILISATION;
    const reader = new SimulatedReader("gpu", context.simGpu, context.simGpuWatts ?? 0, util);
    return {
      reader,
      notices: [
        {
          level: "info",
          console: true,
          message: `Using simulated GPU: ${context.simGpu} with power consumption: ${reader.powerW.toFixed(2)}W (at ${Math.round(util * 100)}% utilization)`,
        },
      ],
    };
  },
};
