// The agent's Prometheus metrics (prom-client, its own registry): node power and energy per
// device, intensity, CO2eq, and the same per running job. Energy is a counter in joules, the
// base unit, so rate() gives watts; finished jobs' series are removed after a grace period.
import { Counter, Gauge, Registry } from "prom-client";
import type { Component } from "../../hardware/types.js";

/** The metric families the agent serves. */
export class AgentMetrics {
  readonly registry = new Registry();
  private readonly nodePower: Gauge<"component" | "device">;
  private readonly nodeEnergy: Counter<"component" | "device">;
  private readonly unattributed: Counter<"component" | "device">;
  private readonly intensity: Gauge<"source" | "location">;
  private readonly nodeCo2: Counter;
  private readonly jobEnergy: Counter<"job_id" | "user" | "component">;
  private readonly jobPower: Gauge<"job_id" | "user">;
  private readonly jobCo2: Counter<"job_id" | "user">;
  private readonly jobsRunning: Gauge;
  private readonly jobLabels = new Map<string, { user: string; components: Set<Component> }>();
  private lastIntensity: { source: string; location: string } | undefined;

  constructor(node: string) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ node });
    this.nodePower = new Gauge({
      name: "carbontracker_node_power_watts",
      help: "Latest power of each measured device of the node (W).",
      labelNames: ["component", "device"],
      registers,
    });
    this.nodeEnergy = new Counter({
      name: "carbontracker_node_energy_joules_total",
      help: "Energy of each measured device since the agent started (J).",
      labelNames: ["component", "device"],
      registers,
    });
    this.unattributed = new Counter({
      name: "carbontracker_unattributed_energy_joules_total",
      help: "Energy of each device not attributed to any SLURM job (other processes, idle GPUs) (J).",
      labelNames: ["component", "device"],
      registers,
    });
    this.intensity = new Gauge({
      name: "carbontracker_carbon_intensity_grams_per_kilowatt_hour",
      help: "Carbon intensity of the electricity used (gCO2eq/kWh).",
      labelNames: ["source", "location"],
      registers,
    });
    this.nodeCo2 = new Counter({
      name: "carbontracker_node_co2eq_grams_total",
      help: "CO2-equivalent emissions of the node's measured energy, PUE included (g).",
      registers,
    });
    this.jobEnergy = new Counter({
      name: "carbontracker_job_energy_joules_total",
      help: "Energy attributed to each running SLURM job on this node (J).",
      labelNames: ["job_id", "user", "component"],
      registers,
    });
    this.jobPower = new Gauge({
      name: "carbontracker_job_power_watts",
      help: "Power attributed to each running SLURM job over the last interval (W).",
      labelNames: ["job_id", "user"],
      registers,
    });
    this.jobCo2 = new Counter({
      name: "carbontracker_job_co2eq_grams_total",
      help: "CO2-equivalent emissions attributed to each SLURM job on this node, PUE included (g).",
      labelNames: ["job_id", "user"],
      registers,
    });
    this.jobsRunning = new Gauge({
      name: "carbontracker_slurm_jobs_running",
      help: "SLURM jobs with processes on this node.",
      registers,
    });
  }

  /** A device's latest power (W, null when unknown) and its energy over the last interval (J). */
  device(
    component: Component,
    device: string,
    powerW: number | null,
    energyJ: number,
    unattributedJ: number,
  ): void {
    if (powerW !== null) this.nodePower.set({ component, device }, powerW);
    this.nodeEnergy.inc({ component, device }, Math.max(0, energyJ));
    this.unattributed.inc({ component, device }, Math.max(0, unattributedJ));
  }

  /** The node's emissions over the last interval (g). */
  nodeEmissions(co2eqG: number): void {
    this.nodeCo2.inc(Math.max(0, co2eqG));
  }

  /** The intensity in force (gCO2eq/kWh). */
  setIntensity(gPerKwh: number, source: string, location: string): void {
    if (this.lastIntensity) this.intensity.remove(this.lastIntensity);
    this.lastIntensity = { source, location };
    this.intensity.set({ source, location }, gPerKwh);
  }

  /** A job's share of the last interval: energy by component (J), its mean power (W), emissions (g). */
  job(
    jobId: string,
    user: string,
    energyJ: Partial<Record<Component, number>>,
    powerW: number,
    co2eqG: number,
  ): void {
    const labels = this.jobLabels.get(jobId) ?? { user, components: new Set<Component>() };
    this.jobLabels.set(jobId, labels);
    for (const [component, joules] of Object.entries(energyJ) as [Component, number][]) {
      labels.components.add(component);
      this.jobEnergy.inc({ job_id: jobId, user, component }, Math.max(0, joules));
    }
    this.jobPower.set({ job_id: jobId, user }, powerW);
    this.jobCo2.inc({ job_id: jobId, user }, Math.max(0, co2eqG));
  }

  /** Number of running jobs. */
  running(count: number): void {
    this.jobsRunning.set(count);
  }

  /** Drops a finished job's series. */
  removeJob(jobId: string): void {
    const labels = this.jobLabels.get(jobId);
    if (!labels) return;
    for (const component of labels.components)
      this.jobEnergy.remove({ job_id: jobId, user: labels.user, component });
    this.jobPower.remove({ job_id: jobId, user: labels.user });
    this.jobCo2.remove({ job_id: jobId, user: labels.user });
    this.jobLabels.delete(jobId);
  }
}
