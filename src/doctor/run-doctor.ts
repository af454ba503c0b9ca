// The diagnosis: opens every requested component through the same ordered detection a run uses
// (so it can never disagree with a run), closes what it opened, and adds the facts around it.
import type { HttpFetch } from "../intensity/http/node-fetch.js";
import { detectEachComponent, type Detection } from "../hardware/detect.js";
import type { Backend, Component, DetectionContext, Provenance } from "../hardware/types.js";
import { nvmlCheck, probeNvml } from "./nvml-probe.js";
import { powermetricsCheck } from "./powermetrics-probe.js";
import { raplFileChecks } from "./rapl-files.js";
import type {
  ComponentDiagnosis,
  DoctorCheck,
  DoctorDevice,
  DoctorReport,
  MeasuredAs,
} from "./report-model.js";
import { checkServices, diagnoseLocation } from "./service-checks.js";
import { systemChecks, type ContainerHints } from "./system-facts.js";
import { isOffline } from "../intensity/settings.js";

/** Time-out of each service check unless set (s). */
export const DEFAULT_SERVICE_TIMEOUT_S = 3;

/** The world doctor looks at; every field but components and env has the real default. */
export interface DoctorOptions {
  components: readonly Component[];
  /** Environment with the seams of DESIGN.md (normally process.env). */
  env: Record<string, string | undefined>;
  /** Backends per component, in the order tried (the registry's; the simulated ones are left out). */
  backends: Record<Component, Backend[]>;
  /** Effective user id (default process.getuid()). */
  uid?: number;
  platform?: NodeJS.Platform;
  /** Root of /.dockerenv, /etc/group, ... (default CARBONTRACKER_SYSTEM_ROOT, else `/`). */
  systemRoot?: string;
  /** Time-out of each service check (s). */
  serviceTimeoutS?: number;
  /** How the service checks make requests (default nodeFetch, as the tracker's). */
  fetch?: HttpFetch;
  /** Clock (Unix ms) for the location cache's age. */
  now?: () => number;
}

const WEAKNESS: Record<Provenance, number> = { counter: 0, sampled: 1, estimate: 2, simulated: 3 };

/** The backends without the simulated ones, which doctor has no settings for. */
function realBackends(backends: Record<Component, Backend[]>): Record<Component, Backend[]> {
  return {
    cpu: backends.cpu.filter((b) => b.id !== "simulated"),
    gpu: backends.gpu.filter((b) => b.id !== "simulated"),
  };
}

/** The weakest provenance among the devices, or `none` without devices. */
function weakestProvenance(devices: readonly DoctorDevice[]): MeasuredAs {
  let worst: MeasuredAs = "none";
  for (const { provenance } of devices) {
    if (worst === "none" || WEAKNESS[provenance] > WEAKNESS[worst]) worst = provenance;
  }
  return worst;
}

async function diagnoseComponents(
  components: readonly Component[],
  context: DetectionContext,
  backends: Record<Component, Backend[]>,
): Promise<ComponentDiagnosis[]> {
  const detections = await detectEachComponent(components, context, backends);
  return components.map((component, i) => diagnosis(component, detections[i] as Detection));
}

function diagnosis(component: Component, detection: Detection): ComponentDiagnosis {
  const devices: DoctorDevice[] = [];
  let backend: string | null = null;
  for (const reader of detection.readers) {
    backend = reader.backend;
    for (const d of reader.devices()) {
      const device: DoctorDevice = { device: d.device, name: d.name, provenance: d.provenance };
      if (d.details !== undefined) device.details = d.details;
      devices.push(device);
    }
    reader.close();
  }
  return {
    component,
    backend,
    measuredAs: weakestProvenance(devices),
    devices,
    skipped: detection.skipped,
    // A warning that repeats a skip reason says nothing new here.
    notices: detection.notices
      .filter((n) => !detection.skipped.some((s) => n.message.includes(s.reason)))
      .map((n) => `${n.level}: ${n.message}`),
    checks: [],
  };
}

function hardwareChecks(
  component: Component,
  options: Required<Pick<DoctorOptions, "env" | "platform" | "systemRoot">> & { uid: number | undefined },
  container: ContainerHints,
): DoctorCheck[] {
  if (component !== "cpu") return [];
  const { env } = options;
  if (options.platform !== "linux" && env.CARBONTRACKER_POWERCAP_ROOT === undefined) return [];
  const root = env.CARBONTRACKER_POWERCAP_ROOT || "/sys/class/powercap";
  return raplFileChecks(root, options.systemRoot, container, options.uid);
}

/** Runs every check and returns the report; never throws for missing hardware or services. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const env = options.env;
  const uid = options.uid ?? process.getuid?.();
  const platform = options.platform ?? process.platform;
  const systemRoot = options.systemRoot ?? (env.CARBONTRACKER_SYSTEM_ROOT || "/");
  const procRoot = env.CARBONTRACKER_PROC_ROOT || "/proc";
  const backends = realBackends(options.backends);
  const context: DetectionContext = { env, pid: process.pid, devicesByPid: false };
  const timeoutS = options.serviceTimeoutS ?? DEFAULT_SERVICE_TIMEOUT_S;

  const services = checkServices(env, timeoutS, options.fetch);
  const components = await diagnoseComponents(options.components, context, backends);
  const system = systemChecks(systemRoot, procRoot, env);
  const powermetrics = await powermetricsCheck({ env, platform, uid, timeoutMs: timeoutS * 1000 });
  for (const diagnosis of components) {
    diagnosis.checks.push(
      ...hardwareChecks(diagnosis.component, { env, platform, systemRoot, uid }, system.container),
    );
    if (diagnosis.component === "gpu")
      diagnosis.checks.push(nvmlCheck(await probeNvml(env), system.container.inContainer));
    if (powermetrics) diagnosis.checks.push(powermetrics);
  }
  const allCounters = components.every((c) => c.measuredAs === "counter");
  return {
    components,
    system: system.checks,
    offline: isOffline(env),
    services: await services,
    location: diagnoseLocation(env, (options.now ?? Date.now)()),
    exitCode: allCounters ? 0 : 1,
  };
}
