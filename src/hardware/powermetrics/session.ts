// One long-running powermetrics process, parsed as its samples arrive. It is restarted once if it
// dies; after a second death its devices are lost (they keep their energy and stop growing).
import type { ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { signalChild } from "../../children/signal-child.js";
import type { ReaderNotice } from "../types.js";
import { isPermissionRefusal, type SpawnSpec } from "./command.js";
import { LineSplitter, parsePowermetricsLine } from "./parse-text.js";
import { SampleIntegrator } from "./sample-integrator.js";

/**
 * node:child_process, loaded when a session starts: the sampler thread bundles this backend with
 * the others, and loading the module (with net and streams) in every sampler thread took 1.6-5 ms
 * and 0.5-0.8 MB on machines that never run powermetrics.
 */
function spawnChild(): typeof import("node:child_process").spawn {
  return (createRequire(import.meta.url)("node:child_process") as typeof import("node:child_process")).spawn;
}

/** How many times a powermetrics process that died mid-run is started again. */
const MAX_RESTARTS = 1;

/** Quiet time after a power line that ends the first sample when no second header came yet (ms). */
const FIRST_SAMPLE_SETTLE_MS = 250;

/** Most of stderr kept for messages (characters). */
const STDERR_KEEP = 2000;

/** What starting a session needs. */
export interface SessionOptions {
  spec: SpawnSpec;
  /** Environment of the child (PATH finds sudo). */
  env: Record<string, string | undefined>;
  /** powermetrics' sample interval (ms): the held-power cap is derived from it. */
  intervalMs: number;
  /** How long to wait for the first complete sample (ms). */
  firstSampleTimeoutMs: number;
  /** Clock (Unix ms); Date.now by default. */
  now?: () => number;
}

/** Why a session could not start. */
export interface StartFailure {
  reason: string;
  /** sudo (or powermetrics itself) refused to run as root. */
  permission: boolean;
  stderr: string;
  /** The same failure was already returned to another backend moments ago (its message is out). */
  repeated?: boolean;
}

/** The outcome of starting a session. */
export type StartOutcome = { session: PowermetricsSession } | { failure: StartFailure };

type Phase = "starting" | "running" | "lost" | "closed";

function describeExit(
  code: number | null,
  signal: NodeJS.Signals | null,
  spawnError: Error | undefined,
): string {
  if (spawnError) return `could not be started: ${spawnError.message}`;
  if (signal) return `killed by ${signal}`;
  return `exit code ${code ?? "unknown"}`;
}

function lastLines(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length === 0) return "";
  return trimmed.split("\n").slice(-3).join(" | ").slice(0, 300);
}

/** A running powermetrics stream shared by the CPU and GPU readers. */
export class PowermetricsSession {
  readonly integrator: SampleIntegrator;
  machineModel: string | undefined;
  osVersion: string | undefined;
  /** Readers holding this session. */
  refs = 0;
  restarts = 0;
  private phase: Phase = "starting";
  private child: ChildProcess | undefined;
  private stderr = "";
  private notices: ReaderNotice[] = [];
  private readonly attachedDevices = new Set<string>();
  private readonly now: () => number;
  private headersSeen = 0;
  private settleTimer: NodeJS.Timeout | undefined;
  private startTimer: NodeJS.Timeout | undefined;
  private settleStart: ((outcome: StartOutcome) => void) | undefined;

  private constructor(private readonly options: SessionOptions) {
    this.now = options.now ?? Date.now;
    this.integrator = new SampleIntegrator(2 * options.intervalMs);
  }

  /** Starts powermetrics and waits for its first complete sample (or its failure, or the time-out). */
  static start(options: SessionOptions): Promise<StartOutcome> {
    const session = new PowermetricsSession(options);
    return new Promise<StartOutcome>((resolvePromise) => {
      session.settleStart = resolvePromise;
      session.startTimer = setTimeout(() => {
        session.failStart({
          reason: `${options.spec.display} printed no complete sample within ${(options.firstSampleTimeoutMs / 1000).toFixed(1)} s`,
          permission: false,
          stderr: session.stderr,
        });
      }, options.firstSampleTimeoutMs);
      session.launch();
    });
  }

  /** The command line in use, for messages and details. */
  get display(): string {
    return this.options.spec.display;
  }

  /** False once powermetrics died for good or the session was closed. */
  get usable(): boolean {
    return this.phase === "running";
  }

  /** Whether the stream is lost (died after its restart). */
  get lost(): boolean {
    return this.phase === "lost";
  }

  /** Records devices a reader measures, to name them when the stream is lost. */
  attach(devices: readonly string[]): void {
    for (const device of devices) this.attachedDevices.add(device);
  }

  /** Notices since the last call (restarts, loss); whichever reader drains first logs them. */
  drainNotices(): ReaderNotice[] {
    const drained = this.notices;
    this.notices = [];
    return drained;
  }

  /** Stops powermetrics. Idempotent. */
  stop(): void {
    if (this.phase === "closed") return;
    this.phase = "closed";
    this.clearStartTimers();
    this.kill();
  }

  private launch(): void {
    this.stderr = "";
    const splitter = new LineSplitter();
    let spawnError: Error | undefined;
    let ended = false;
    const child = spawnChild()(this.options.spec.file, this.options.spec.args, {
      env: this.options.env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    child.stdout?.setEncoding("utf8");
    child.stderr?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => {
      if (this.child !== child) return;
      for (const line of splitter.push(chunk)) this.handleLine(line);
      this.armSettle();
    });
    child.stderr?.on("data", (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_KEEP);
    });
    child.on("error", (error) => {
      spawnError = error;
      if (child.pid === undefined && !ended) {
        ended = true;
        this.handleExit(child, null, null, spawnError);
      }
    });
    child.on("close", (code, signal) => {
      if (ended) return;
      ended = true;
      if (this.child === child) for (const line of splitter.end()) this.handleLine(line);
      this.handleExit(child, code, signal, spawnError);
    });
    if (this.phase === "running") this.unrefChild(child);
  }

  private handleLine(line: string): void {
    const parsed = parsePowermetricsLine(line);
    if (!parsed) return;
    const nowMs = this.now();
    if (parsed.kind === "sample") {
      this.headersSeen += 1;
      if (this.phase === "starting" && this.headersSeen >= 2) this.finishStart();
      this.integrator.startSample(parsed.elapsedMs, nowMs);
    } else if (parsed.kind === "power") {
      this.integrator.addPower(parsed.device, parsed.powerW, parsed.source, nowMs);
    } else if (parsed.kind === "machine") {
      this.machineModel = parsed.model;
    } else {
      this.osVersion = parsed.version;
    }
  }

  private armSettle(): void {
    if (this.phase !== "starting" || this.integrator.devices().length === 0) return;
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => this.finishStart(), FIRST_SAMPLE_SETTLE_MS);
  }

  private finishStart(): void {
    if (this.phase !== "starting") return;
    this.phase = "running";
    this.clearStartTimers();
    if (this.child) this.unrefChild(this.child);
    this.settleStart?.({ session: this });
  }

  private failStart(failure: StartFailure): void {
    if (this.phase !== "starting") return;
    this.phase = "closed";
    this.clearStartTimers();
    this.kill();
    this.settleStart?.({ failure });
  }

  private clearStartTimers(): void {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    if (this.startTimer) clearTimeout(this.startTimer);
    this.settleTimer = undefined;
    this.startTimer = undefined;
  }

  private handleExit(
    child: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
    spawnError: Error | undefined,
  ): void {
    if (this.child !== child) return;
    const how = describeExit(code, signal, spawnError);
    const stderr = lastLines(this.stderr);
    if (this.phase === "starting") {
      // A stream that ended after a whole sample (powermetrics -n 1, a replayed capture) still counts.
      if (!spawnError && this.integrator.devices().length > 0) {
        this.finishStart();
      } else {
        this.failStart({
          reason: spawnError
            ? `could not start ${this.options.spec.display}: ${spawnError.message}`
            : `${this.options.spec.display} ${how} before its first sample${stderr ? `: ${stderr}` : ""}`,
          permission: isPermissionRefusal(this.stderr),
          stderr: this.stderr,
        });
        return;
      }
    }
    if (this.phase !== "running") return;
    const nowMs = this.now();
    this.integrator.commit(nowMs);
    const at = new Date(nowMs).toISOString();
    const detail = `${how}${stderr ? `; stderr: ${stderr}` : ""}`;
    if (this.restarts < MAX_RESTARTS) {
      this.restarts += 1;
      this.notices.push({
        level: "warning",
        message: `powermetrics stopped at ${at} (${detail}); restarting it (once): ${this.options.spec.display}`,
      });
      this.launch();
      return;
    }
    this.phase = "lost";
    const devices = [...this.attachedDevices].join(", ") || "none";
    this.notices.push({
      level: "error",
      message: `powermetrics stopped again at ${at} (${detail}) after ${this.restarts} restart(s): Apple silicon device(s) ${devices} are lost; their energy stays at the figures measured until then.`,
    });
  }

  private unrefChild(child: ChildProcess): void {
    // A forgotten tracker must not keep the host process alive; close() still kills the child.
    child.unref();
    for (const stream of [child.stdout, child.stderr]) {
      (stream as unknown as { unref?: () => void } | null)?.unref?.();
    }
  }

  private kill(): void {
    const child = this.child;
    this.child = undefined;
    if (!child) return;
    child.stdout?.destroy();
    child.stderr?.destroy();
    signalChild(child, "SIGTERM");
  }
}
