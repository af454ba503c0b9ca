// Apple silicon power from macOS's powermetrics, as the original measures it: a CPU component with
// device "CPU", and a GPU component with devices "GPU" and "ANE" (the original's AppleSiliconGPU
// reports the Neural Engine with the GPU). Both readers share one streaming powermetrics process.
import { userInfo } from "node:os";
import type {
  Backend,
  Component,
  DetectionContext,
  DeviceDescription,
  DeviceReading,
  OpenResult,
  PowerReader,
} from "../types.js";
import { buildSpawnSpec, DEFAULT_POWERMETRICS_PATH, sudoersLine } from "./command.js";
import { findCommand } from "../find-command.js";
import type { PowermetricsDevice } from "./parse-text.js";
import type { PowermetricsSession } from "./session.js";
import { acquireSession, releaseSession } from "./shared-session.js";

/** Sample interval when the run does not say (ms): the original's `-i 1000`. */
const DEFAULT_SAMPLE_INTERVAL_MS = 1000;

/** Shortest powermetrics interval we ask for (ms); shorter costs the machine more than it tells. */
const MIN_SAMPLE_INTERVAL_MS = 100;

/** Devices per component, named as the original names them. */
const POWERMETRICS_DEVICES: Record<Component, readonly PowermetricsDevice[]> = {
  cpu: ["CPU"],
  gpu: ["GPU", "ANE"],
};

/** Seams of the powermetrics backends; every field has a real default. */
export interface PowermetricsBackendOptions {
  /** Effective user id (0 runs powermetrics without sudo); process.getuid() by default. */
  uid?: number;
  /** Operating system; process.platform by default (powermetrics is looked for on darwin only). */
  platform?: NodeJS.Platform;
  /** User name for the sudoers line; $USER or the OS account by default. */
  username?: string;
  /** powermetrics' sample interval (ms); the run's update interval, else 1000. */
  sampleIntervalMs?: number;
  /** How long to wait for the first sample (ms); the interval + 5 s by default. */
  firstSampleTimeoutMs?: number;
}

/** A component's devices read from the shared powermetrics stream, as energy since open. */
class PowermetricsReader implements PowerReader {
  readonly backend = "powermetrics";
  readonly needsEventLoop = true;
  private readonly baselineJ = new Map<string, number>();
  private readonly lastJ = new Map<string, number>();
  private closed = false;

  constructor(
    readonly component: Component,
    private readonly deviceNames: readonly PowermetricsDevice[],
    private readonly session: PowermetricsSession,
    private readonly intervalMs: number,
    nowMs: number = Date.now(),
  ) {
    for (const device of deviceNames) {
      this.baselineJ.set(device, session.integrator.valueAt(device, nowMs).energyJ);
      this.lastJ.set(device, 0);
    }
    session.attach(deviceNames);
  }

  devices(): DeviceDescription[] {
    const model = this.session.machineModel;
    return this.deviceNames.map((device) => ({
      component: this.component,
      device,
      name: `${device} (${model ?? "Mac"})`,
      provenance: "sampled" as const,
      details: {
        command: this.session.display,
        sample_interval_ms: this.intervalMs,
        machine_model: model ?? null,
        os_version: this.session.osVersion ?? null,
        source: this.session.integrator.sourceOf(device) ?? "no power line printed (counted as 0 W)",
        note: "powermetrics documents its power figures as estimates made by macOS",
      },
    }));
  }

  read(nowMs: number): DeviceReading[] {
    return this.deviceNames.map((device) => {
      const value = this.session.integrator.valueAt(device, nowMs);
      const sinceOpen = value.energyJ - (this.baselineJ.get(device) ?? 0);
      const energyJ = Math.max(this.lastJ.get(device) ?? 0, sinceOpen);
      this.lastJ.set(device, energyJ);
      return { device, energyJ, powerW: value.powerW };
    });
  }

  drainNotices() {
    return this.session.drainNotices();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    releaseSession(this.session);
  }
}

function currentUser(env: Record<string, string | undefined>): string {
  if (env.USER) return env.USER;
  try {
    return userInfo().username;
  } catch {
    return "<your user name>";
  }
}

function askedIntervalMs(context: DetectionContext): number | undefined {
  // The run's update interval, where the detection context carries it.
  const value = (context as DetectionContext & { updateIntervalMs?: unknown }).updateIntervalMs;
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Builds the powermetrics backend of one component; the registry uses the defaults below. */
export function createPowermetricsBackend(
  component: Component,
  options: PowermetricsBackendOptions = {},
): Backend {
  const id = "powermetrics";
  const skip = (reason: string, fix?: string) => ({ skip: { backend: id, component, reason, fix } });
  return {
    id,
    component,
    // Not macOS and not configured: a skip at once, so detection need not wait (see detectReadersNow).
    open(context) {
      const configured = context.env.CARBONTRACKER_POWERMETRICS;
      const platform = options.platform ?? process.platform;
      if (configured === undefined && platform !== "darwin") {
        return skip(
          `powermetrics exists only on macOS (this is ${platform}); set CARBONTRACKER_POWERMETRICS to a powermetrics command to use one anyway`,
        );
      }
      return openSession(context, configured);
    },
  };

  async function openSession(context: DetectionContext, configured: string | undefined): Promise<OpenResult> {
    const command = configured ?? "powermetrics";
    const path =
      findCommand(command, context.env.PATH) ??
      (configured === undefined ? findCommand(DEFAULT_POWERMETRICS_PATH, undefined) : null);
    if (path === null) {
      return skip(
        `powermetrics command '${command}' was not found${command.includes("/") ? "" : " on PATH"} or is not executable (CARBONTRACKER_POWERMETRICS)`,
      );
    }
    const intervalMs = Math.max(
      MIN_SAMPLE_INTERVAL_MS,
      options.sampleIntervalMs ?? askedIntervalMs(context) ?? DEFAULT_SAMPLE_INTERVAL_MS,
    );
    const uid = options.uid ?? process.getuid?.() ?? -1;
    const spec = buildSpawnSpec(path, intervalMs, uid === 0);
    const outcome = await acquireSession({
      spec,
      env: context.env,
      intervalMs,
      firstSampleTimeoutMs: options.firstSampleTimeoutMs ?? intervalMs + 5000,
    });
    if ("failure" in outcome) {
      const { failure } = outcome;
      const line = failure.permission
        ? sudoersLine(options.username ?? currentUser(context.env), path)
        : undefined;
      const reason = line
        ? `${failure.reason}. powermetrics must run as root and sudo -n would not run it without a password. Allow exactly this command with 'sudo visudo -f /etc/sudoers.d/carbontracker-powermetrics' and the line: ${line}`
        : failure.reason;
      // One warning per failure, whichever of the CPU and GPU backends met it first.
      const notices = failure.repeated
        ? []
        : [{ level: "warning" as const, message: `Apple silicon power is not measured: ${reason}` }];
      return { ...skip(reason, line), notices };
    }
    const session = outcome.session;
    const printed = session.integrator.devices();
    const main = POWERMETRICS_DEVICES[component][0] ?? "CPU";
    if (!printed.includes(main)) {
      releaseSession(session);
      return skip(
        `${session.display} printed no '${main} Power' line (printed: ${printed.join(", ") || "none"}); an Intel Mac reports package power only`,
      );
    }
    return {
      reader: new PowermetricsReader(component, POWERMETRICS_DEVICES[component], session, intervalMs),
    };
  }
}

/** The CPU backend: powermetrics' "CPU Power" (or an Intel Mac's package power) as device "CPU". */
export const powermetricsCpuBackend: Backend = createPowermetricsBackend("cpu");

/** The GPU backend: powermetrics' "GPU Power" and "ANE Power" as devices "GPU" and "ANE". */
export const powermetricsGpuBackend: Backend = createPowermetricsBackend("gpu");
