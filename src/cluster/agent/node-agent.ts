// The node agent's loop: reads every device of the node, finds the running SLURM jobs, splits
// each interval's energy over them (attribution.ts, tick-split.ts), and writes one record per
// finished job. A dear counter (NVML's) is read only now and then, when a GPU changes hands and
// at close, and sampled power fills the ticks between (pending-energy.ts). It never exits; the CLI
// command owns timers, signals and the metrics endpoint.
import { appendFileSync } from "node:fs";
import { dirname } from "node:path";
import type {
  Backend,
  Component,
  DetectionContext,
  DeviceDescription,
  DeviceReading,
  Provenance,
  ReadKind,
} from "../../hardware/types.js";
import { detectReaders } from "../../hardware/detect.js";
import type { IntensityProvider } from "../../intensity/provider.js";
import { ReaderSet } from "../../sampling/reader-set.js";
import { co2eqGrams, facilityKwh } from "../../units/index.js";
import { VERSION } from "../../version.js";
import type { AgentMetrics } from "./agent-metrics.js";
import { gpuHolders, intervalJobs, type DeviceDelta, type JobDelta } from "./attribution.js";
import type { JobDiscovery } from "./job-discovery.js";
import type { AgentJobRecord, AttributionSource } from "./job-record.js";
import { PendingEnergy, type DeviceTick } from "./pending-energy.js";
import { NodeBusyCpu } from "./proc-files.js";
import { splitTick } from "./tick-split.js";
import { makeFolder } from "../../files/make-folder.js";

/** What the agent needs; the CLI supplies real defaults. */
export interface NodeAgentOptions {
  node: string;
  components: Component[];
  /** Detection seams; GPU visibility variables are dropped so every GPU of the node is seen. */
  context: DetectionContext;
  /** Backends per component, in the order tried (the composition root's registry). */
  backends: Record<Component, Backend[]>;
  procRoot: string;
  discovery: JobDiscovery;
  intensity: IntensityProvider;
  metrics: AgentMetrics;
  pue: number;
  /** JSONL file the records are appended to; none when undefined. */
  logFile?: string;
  /** Clock (Unix ms); default Date.now. */
  now?: () => number;
  /** Where the agent says what it does (a discovery failure, a job finished). */
  onMessage?: (text: string) => void;
}

interface JobState {
  jobId: string;
  user: string | undefined;
  source: AttributionSource;
  gpus: string[];
  firstMs: number;
  lastMs: number;
  cpuS: number;
  cpuUsedS: number;
  energyJ: Map<string, number>;
  co2eqG: number;
}

/** What the agent measured from open to close (J before PUE). */
export interface NodeSummary {
  node: string;
  startMs: number;
  endMs: number;
  energyJ: number;
  unattributedJ: number;
  devices: {
    component: Component;
    device: string;
    energyJ: number;
    unattributedJ: number;
    provenance: Provenance;
  }[];
  jobsFinished: number;
}

const GPU_VISIBILITY = [
  "CUDA_VISIBLE_DEVICES",
  "ROCR_VISIBLE_DEVICES",
  "HIP_VISIBLE_DEVICES",
  "GPU_DEVICE_ORDINAL",
];

/** Measures the node and attributes its energy to the SLURM jobs running on it. */
export class NodeAgent {
  private previous: { tMs: number; readings: DeviceReading[]; busyS: number | undefined };
  private readonly jobs = new Map<string, JobState>();
  private readonly deviceTotals = new Map<string, { energyJ: number; unattributedJ: number }>();
  private readonly now: () => number;
  private gPerKwh: number;
  private jobsFinished = 0;
  private discoveryFailing = false;
  private readonly startMs: number;
  private readonly pending: PendingEnergy;
  /** The jobs seen at the last tick: the next interval's GPU energy goes to those holding each GPU. */
  private holders: JobDelta[] = [];
  private readonly busyCpu: NodeBusyCpu;

  private constructor(
    private readonly options: NodeAgentOptions,
    private readonly set: ReaderSet,
    readonly devices: DeviceDescription[],
  ) {
    this.now = options.now ?? Date.now;
    this.busyCpu = new NodeBusyCpu(options.procRoot);
    this.startMs = this.now();
    const first = options.intensity.initial(this.startMs);
    this.gPerKwh = first.gPerKwh;
    options.metrics.setIntensity(first.gPerKwh, first.source, first.location);
    options.intensity.start((reading) => {
      if (reading.forecast) return;
      this.gPerKwh = reading.gPerKwh;
      options.metrics.setIntensity(reading.gPerKwh, reading.source, reading.location);
    });
    this.previous = {
      tMs: this.startMs,
      readings: set.read(this.startMs).readings,
      busyS: this.busyCpu.read(),
    };
    this.pending = new PendingEnergy(this.previous.readings);
    this.write({
      type: "agent_start",
      t: this.startMs,
      version: VERSION,
      node: options.node,
      pue: options.pue,
      devices: devices.map((d) => ({
        ...d.details,
        component: d.component,
        device: d.device,
        name: d.name,
        provenance: d.provenance,
      })),
      skipped: set.skipped,
    });
  }

  /** Detects the node's devices and takes the first reading; jobs already running count from now. */
  static async open(options: NodeAgentOptions): Promise<NodeAgent> {
    const env = { ...options.context.env };
    for (const name of GPU_VISIBILITY) delete env[name];
    const detection = await detectReaders(
      options.components,
      { ...options.context, env, devicesByPid: false },
      options.backends,
    );
    const set = new ReaderSet(detection.readers, detection.skipped, detection.notices);
    const agent = new NodeAgent(options, set, set.devices());
    const found = await agent.discover(true);
    if (found) agent.holders = found.running;
    return agent;
  }

  /** Longest safe gap between two ticks (ms), from the readers' counters. */
  readIntervalMs(askedMs: number): number {
    return this.set.describe(askedMs).readIntervalMs;
  }

  private say(text: string): void {
    this.options.onMessage?.(text);
  }

  private write(record: Record<string, unknown>): void {
    if (!this.options.logFile) return;
    makeFolder(dirname(this.options.logFile));
    appendFileSync(this.options.logFile, `${JSON.stringify(record)}\n`);
  }

  /**
   * Finds the running jobs: each one's CPU time since the last look, and the jobs gone since
   * (not finished here: the tick settles their energy first). False when discovery failed (then
   * no job is taken as finished).
   */
  private async discover(
    initial: boolean,
  ): Promise<false | { running: JobDelta[]; ended: string[]; atMs: number }> {
    let sightings;
    try {
      sightings = await this.options.discovery.jobs();
      if (this.discoveryFailing) this.say("Finding SLURM jobs works again.");
      this.discoveryFailing = false;
    } catch (error) {
      if (!this.discoveryFailing)
        this.say(
          `Finding SLURM jobs failed: ${error instanceof Error ? error.message : String(error)}. Energy stays unattributed until it works.`,
        );
      this.discoveryFailing = true;
      return false;
    }
    const t = this.now();
    const running: JobDelta[] = [];
    for (const s of sightings) {
      let state = this.jobs.get(s.jobId);
      if (!state) {
        // Jobs running when the agent starts count from its first reading (they hold their GPUs
        // from there: open() makes them the first holders), however long this first look took;
        // later ones from their start.
        state = {
          jobId: s.jobId,
          user: s.user,
          source: s.source,
          gpus: s.gpus,
          firstMs: initial ? this.startMs : t,
          lastMs: t,
          cpuS: initial ? s.cpuS : 0,
          cpuUsedS: 0,
          energyJ: new Map(),
          co2eqG: 0,
        };
        this.jobs.set(s.jobId, state);
        this.say(
          `SLURM job ${s.jobId}${s.user ? ` of ${s.user}` : ""} found (${s.source}${s.gpus.length ? `, GPUs ${s.gpus.join(",")}` : ""}).`,
        );
      }
      const cpuS = Math.max(0, s.cpuS - state.cpuS);
      state.cpuS = Math.max(state.cpuS, s.cpuS);
      state.cpuUsedS += cpuS;
      state.lastMs = t;
      state.user ??= s.user;
      if (s.gpus.length > 0) state.gpus = s.gpus;
      running.push({ jobId: s.jobId, cpuS, gpus: state.gpus });
    }
    const ended = initial ? [] : [...this.jobs.keys()].filter((id) => !sightings.some((s) => s.jobId === id));
    this.options.metrics.running(this.jobs.size - ended.length);
    return { running, ended, atMs: t };
  }

  private gpuId(device: DeviceDescription, index: number): string | undefined {
    const fromNvml = device.details?.nvml_index;
    return fromNvml !== undefined ? String(fromNvml) : String(index);
  }

  /**
   * One interval: read, find jobs, split, count, write the records of jobs gone. A tick reads
   * counters as samples do (NVML's dear counter only now and then); when a GPU changes hands (a
   * job with GPUs starts or ends), or at close (`boundary`), every counter is read, so each
   * window between counter reads went to the same jobs and their records and the totals are exact.
   */
  async tick(kind: ReadKind = "sample"): Promise<void> {
    let tMs = this.now();
    let readings = this.set.read(tMs, kind).readings;
    const busyS = this.busyCpu.read();
    const found = await this.discover(false);
    const running = found ? found.running : [];
    // A GPU changing hands ends a window of ticks read on power alone: its counter is read now.
    if (gpuHolders(running) !== gpuHolders(this.holders) && PendingEnergy.anySampled(readings)) {
      tMs = this.now();
      readings = this.set.read(tMs, "boundary").readings;
    }
    const previous = this.previous;
    this.previous = { tMs, readings, busyS };
    const gpus = this.devices.filter((d) => d.component === "gpu");
    const devices = this.devices.map((d) => {
      const before = previous.readings.find((r) => r.device === d.device);
      const after = readings.find((r) => r.device === d.device);
      const tick: DeviceTick = after ? this.pending.tick(before, after) : { energyJ: 0, exact: true };
      const gpuId = d.component === "gpu" ? this.gpuId(d, gpus.indexOf(d)) : undefined;
      const delta: DeviceDelta = {
        component: d.component,
        device: d.device,
        energyJ: tick.energyJ,
        ...(gpuId !== undefined ? { gpuId } : {}),
      };
      return { delta, tick, powerW: after?.powerW ?? null };
    });
    const busy =
      busyS !== undefined && previous.busyS !== undefined ? Math.max(0, busyS - previous.busyS) : 0;
    const split = splitTick(devices, intervalJobs(running, this.holders), busy, this.pending);
    this.holders = running;
    const intervalS = Math.max(1e-3, (tMs - previous.tMs) / 1000);
    const gramsPerJoule = co2eqGrams(1, this.options.pue, this.gPerKwh);
    let settledJ = 0;
    for (const { delta, powerW } of devices) {
      const d = split.devices.get(delta.device);
      if (!d) continue;
      const total = this.deviceTotals.get(delta.device) ?? { energyJ: 0, unattributedJ: 0 };
      total.energyJ += d.energyJ;
      total.unattributedJ += d.unattributedJ;
      this.deviceTotals.set(delta.device, total);
      this.options.metrics.device(
        delta.component,
        delta.device,
        powerW ?? delta.energyJ / intervalS,
        d.settledJ,
        d.settledUnattributedJ,
      );
      settledJ += d.settledJ;
    }
    this.options.metrics.nodeEmissions(settledJ * gramsPerJoule);
    const componentOf = (device: string): Component =>
      this.devices.find((d) => d.device === device)?.component ?? "cpu";
    for (const jobId of new Set([...split.given.keys(), ...split.settled.keys()])) {
      const state = this.jobs.get(jobId);
      if (!state) continue;
      for (const [device, joules] of split.given.get(jobId) ?? []) {
        state.energyJ.set(device, (state.energyJ.get(device) ?? 0) + joules);
        state.co2eqG += joules * gramsPerJoule;
      }
      const byComponent: Partial<Record<Component, number>> = {};
      let jobSettledJ = 0;
      for (const [device, joules] of split.settled.get(jobId) ?? []) {
        const component = componentOf(device);
        byComponent[component] = (byComponent[component] ?? 0) + joules;
        jobSettledJ += joules;
      }
      this.options.metrics.job(
        jobId,
        state.user ?? "unknown",
        byComponent,
        (split.tickJ.get(jobId) ?? 0) / intervalS,
        jobSettledJ * gramsPerJoule,
      );
    }
    if (found) for (const jobId of found.ended) this.finishJob(jobId, found.atMs);
  }

  private finishJob(jobId: string, tMs: number): void {
    const state = this.jobs.get(jobId);
    if (!state) return;
    this.jobs.delete(jobId);
    this.options.discovery.forget(jobId);
    this.jobsFinished++;
    const devices = this.devices
      .filter((d) => state.energyJ.has(d.device))
      .map((d) => ({
        component: d.component,
        device: d.device,
        energy_j: state.energyJ.get(d.device) ?? 0,
        provenance: d.provenance,
        share: d.component === "cpu" ? "cpu time" : "gpu assignment",
      }));
    const energyJ = devices.reduce((sum, d) => sum + d.energy_j, 0);
    const byComponent: Partial<Record<Component, number>> = {};
    for (const d of devices) byComponent[d.component] = (byComponent[d.component] ?? 0) + d.energy_j;
    const record: AgentJobRecord = {
      type: "job",
      t: tMs,
      job_id: jobId,
      user: state.user,
      node: this.options.node,
      start_t: state.firstMs,
      end_t: state.lastMs,
      duration_s: (state.lastMs - state.firstMs) / 1000,
      cpu_time_s: state.cpuUsedS,
      energy_j: energyJ,
      energy_j_by_component: byComponent,
      devices,
      co2eq_g: state.co2eqG,
      g_per_kwh: energyJ > 0 ? state.co2eqG / facilityKwh(energyJ, this.options.pue) : this.gPerKwh,
      pue: this.options.pue,
      attribution: state.source,
      gpus: state.gpus,
    };
    this.write(record as unknown as Record<string, unknown>);
    this.say(`SLURM job ${jobId} finished: ${energyJ.toFixed(1)} J over ${record.duration_s.toFixed(1)} s.`);
    // Series stay a while so the last increments are scraped.
    setTimeout(() => this.options.metrics.removeJob(jobId), 300_000).unref();
  }

  /** Takes a last reading, writes the `node` record (what was measured and what no job got) and closes the readers. */
  async close(): Promise<NodeSummary> {
    await this.tick("boundary");
    this.options.intensity.stop();
    this.set.close();
    this.busyCpu.close();
    const endMs = this.previous.tMs;
    const devices = this.devices.map((d) => {
      const total = this.deviceTotals.get(d.device) ?? { energyJ: 0, unattributedJ: 0 };
      return {
        component: d.component,
        device: d.device,
        energyJ: total.energyJ,
        unattributedJ: total.unattributedJ,
        provenance: d.provenance,
      };
    });
    const summary: NodeSummary = {
      node: this.options.node,
      startMs: this.startMs,
      endMs,
      energyJ: devices.reduce((s, d) => s + d.energyJ, 0),
      unattributedJ: devices.reduce((s, d) => s + d.unattributedJ, 0),
      devices,
      jobsFinished: this.jobsFinished,
    };
    this.write({
      type: "node",
      t: endMs,
      node: summary.node,
      start_t: summary.startMs,
      end_t: endMs,
      energy_j: summary.energyJ,
      unattributed_energy_j: summary.unattributedJ,
      running_jobs: [...this.jobs.keys()],
      devices: devices.map((d) => ({
        component: d.component,
        device: d.device,
        energy_j: d.energyJ,
        unattributed_j: d.unattributedJ,
        provenance: d.provenance,
      })),
    });
    return summary;
  }
}
