// The last resort for CPUs without a readable energy counter: power = TDP × utilisation, with
// utilisation from /proc/stat. Its figures always carry provenance `estimate`.
import { HardwareReadError } from "../../errors/index.js";
import type { Backend, DeviceReading, PowerReader } from "../types.js";
import {
  openProcStat,
  readCpuModelName,
  readProcStat,
  type CpuTimes,
  type ProcStatFile,
} from "./proc-stat.js";

/**
 * Default TDP per logical CPU when `cpuTdp` is not given (W). Server and desktop parts sit near
 * 4-10 W per hardware thread (a 280 W 64-thread EPYC 4.4 W, a 65 W 8-thread desktop 8.1 W,
 * a 125 W 16-thread desktop 7.8 W); 7.5 W is a middle figure, stated wherever it is used.
 */
export const DEFAULT_TDP_PER_LOGICAL_CPU_W = 7.5;

/** Estimated CPU power from utilisation, integrated between reads. */
export class EstimateCpuReader implements PowerReader {
  readonly backend = "estimate";
  readonly component = "cpu" as const;
  private last: CpuTimes;
  private lastMs: number;
  private energyJ = 0;
  private lastPowerW: number | null = null;
  /** /proc/stat, kept open between reads. */
  private readonly stat: ProcStatFile;

  constructor(
    private readonly procRoot: string,
    readonly tdpW: number,
    private readonly deviceName: string,
    readonly tdpSource: string,
    nowMs: number = Date.now(),
  ) {
    this.stat = openProcStat(procRoot);
    this.last = this.stat.read();
    this.lastMs = nowMs;
  }

  devices() {
    return [
      {
        component: this.component,
        device: this.deviceName,
        name: this.deviceName,
        provenance: "estimate" as const,
        details: { tdp_w: this.tdpW, tdp_source: this.tdpSource, model: "TDP x utilisation (/proc/stat)" },
      },
    ];
  }

  read(nowMs: number): DeviceReading[] {
    let now: CpuTimes;
    try {
      now = this.stat.read();
    } catch (error) {
      throw new HardwareReadError("estimate", `cannot read ${this.procRoot}/stat: ${String(error)}`, {
        cause: error,
      });
    }
    const dTotal = now.total - this.last.total;
    const dBusy = now.busy - this.last.busy;
    const dtS = Math.max(0, nowMs - this.lastMs) / 1000;
    if (dTotal > 0 && dtS > 0) {
      const utilisation = Math.min(1, Math.max(0, dBusy / dTotal));
      this.lastPowerW = this.tdpW * utilisation;
      this.energyJ += this.lastPowerW * dtS;
    }
    this.last = now;
    this.lastMs = nowMs;
    return [{ device: this.deviceName, energyJ: this.energyJ, powerW: this.lastPowerW }];
  }

  close(): void {
    this.stat.close();
  }
}

/** The estimate backend: opens wherever /proc/stat is readable. */
export const estimateCpuBackend: Backend = {
  id: "estimate",
  component: "cpu",
  open(context) {
    const procRoot = context.env.CARBONTRACKER_PROC_ROOT ?? "/proc";
    let times: CpuTimes;
    try {
      times = readProcStat(procRoot);
    } catch (error) {
      return {
        skip: {
          backend: "estimate",
          component: "cpu",
          reason: `cannot read ${procRoot}/stat: ${String(error)}`,
        },
      };
    }
    const tdpW = context.cpuTdp ?? times.logicalCpus * DEFAULT_TDP_PER_LOGICAL_CPU_W;
    const tdpSource =
      context.cpuTdp !== undefined
        ? "cpuTdp option"
        : `default ${DEFAULT_TDP_PER_LOGICAL_CPU_W} W x ${times.logicalCpus} logical CPUs`;
    const model = readCpuModelName(procRoot) ?? "Unknown CPU";
    const reader = new EstimateCpuReader(procRoot, tdpW, model, tdpSource);
    return {
      reader,
      notices: [
        {
          level: "warning",
          message: `No CPU energy counter is readable: CPU energy for ${model} is an ESTIMATE of ${tdpW.toFixed(2)}W TDP (${tdpSource}) x utilisation from ${procRoot}/stat. Set --cpu-tdp for your CPU's TDP; run 'carbontracker doctor' to see why no counter is readable.`,
        },
      ],
    };
  },
};
