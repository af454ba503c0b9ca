// The last resort for CPUs without a readable energy counter: power from a wattage model
// (cpu-power-model.ts) and utilisation from /proc/stat. Its figures always carry provenance
// `estimate`, and its start-up line says which model, on which figures, in one sentence.
import { HardwareReadError } from "../../errors/index.js";
import type { Backend, DeviceReading, PowerReader } from "../types.js";
import { openProcStat, readProcStat, type CpuTimes, type ProcStatFile } from "./proc-stat.js";
import { readCpuinfo } from "./cpuinfo.js";
import { chooseCpuPowerModel, modelDetails, type CpuPowerModel } from "./cpu-power-model.js";
import { detectVm, dmiRootOf } from "./vm-detect.js";

/** Power at 0 % and 100 % utilisation (W); in between it is a straight line. */
export interface LinearPower {
  idleW: number;
  maxW: number;
}

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
    readonly power: LinearPower,
    private readonly deviceName: string,
    private readonly details: Record<string, unknown> = {},
    nowMs: number = Date.now(),
    /** The counters just read by whoever opened this reader (the first reading), if any. */
    first?: CpuTimes,
  ) {
    this.stat = openProcStat(procRoot, first?.logicalCpus);
    this.last = first ?? this.stat.read();
    this.lastMs = nowMs;
  }

  devices() {
    return [
      {
        component: this.component,
        device: this.deviceName,
        name: this.deviceName,
        provenance: "estimate" as const,
        details: this.details,
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
      this.lastPowerW = this.power.idleW + (this.power.maxW - this.power.idleW) * utilisation;
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

const DOCTOR = "run 'carbontracker doctor' to see why no counter is readable.";

/** The one start-up line: which model, on which figures; for an unknown CPU, the string and the fallback. */
function estimateNotice(model: CpuPowerModel, procRoot: string): string {
  const from = `(utilisation: ${procRoot}/stat)`;
  const why = model.noTdp ? ` ${model.noTdp.charAt(0).toUpperCase()}${model.noTdp.slice(1)}.` : "";
  if (model.kind === "vm-share" || model.kind === "vm-ccf") {
    return `No CPU energy counter is readable in this virtual machine (${model.vm.evidence}): CPU energy for ${model.deviceName} is a VM ESTIMATE of its share of the host CPU: ${model.how} ${from}.${why} Set --cpu-tdp to override; ${DOCTOR}`;
  }
  if (model.kind === "fallback") {
    return `No CPU energy counter is readable, and ${model.noTdp}: CPU energy is an ESTIMATE from ${model.how} ${from}. Set --cpu-tdp to this machine's CPU TDP in watts; ${DOCTOR}`;
  }
  return `No CPU energy counter is readable: CPU energy for ${model.deviceName} is an ESTIMATE of ${model.how} ${from}. Set --cpu-tdp to override; ${DOCTOR}`;
}

/** The estimate backend: opens wherever /proc/stat is readable. */
export const estimateCpuBackend: Backend = {
  id: "estimate",
  component: "cpu",
  open(context) {
    const procRoot = context.env.CARBONTRACKER_PROC_ROOT || "/proc";
    const dmiRoot = dmiRootOf(context.env);
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
    const info = readCpuinfo(procRoot);
    const model = chooseCpuPowerModel({
      info,
      logicalCpus: times.logicalCpus,
      vm: info ? detectVm(info, dmiRoot) : { vm: false, evidence: `${procRoot}/cpuinfo is unreadable` },
      ...(context.cpuTdp !== undefined ? { cpuTdp: context.cpuTdp } : {}),
    });
    const reader = new EstimateCpuReader(
      procRoot,
      model,
      model.deviceName,
      modelDetails(model, procRoot),
      Date.now(),
      times,
    );
    return { reader, notices: [{ level: "warning", message: estimateNotice(model, procRoot) }] };
  },
};
