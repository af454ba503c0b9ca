// The tracker's options (the original's, camelCase, plus new ones) and their validation.
// Every message names the option and says what a valid value looks like.
import { InvalidOptionError } from "../errors/index.js";
import type { Component, DetectionContext } from "../hardware/types.js";
import { componentsAfterElection } from "../cluster/rank-components.js";
import type { SharedDeviceElection } from "../cluster/shared-device-election.js";
import type { SamplerConfig } from "../sampling/sampler.js";
import { defaultOf, type TrackerOptions } from "./option-schema.js";

export type { TrackerOptions } from "./option-schema.js";

/** Options after defaults and validation. */
export interface ResolvedOptions {
  epochs: number;
  epochsBeforePred: number;
  monitorEpochs: number;
  updateInterval: number;
  interpretable: boolean;
  stopAndConfirm: boolean;
  ignoreErrors: boolean;
  components: Component[];
  componentsExplicit: boolean;
  devicesByPid: boolean;
  logDir: string | undefined;
  logFilePrefix: string;
  verbose: number;
  decimalPrecision: number;
  apiKeys: Record<string, string>;
  simCpu?: string;
  simCpuTdp?: number;
  simCpuUtil?: number;
  simGpu?: string;
  simGpuWatts?: number;
  simGpuUtil?: number;
  pue: number;
  country?: string;
  zone?: string;
  cpuTdp?: number;
  env: Record<string, string | undefined>;
  /** Receives the console text. */
  console: (text: string) => void;
  pid: number;
}

const KNOWN_COMPONENTS: readonly Component[] = ["gpu", "cpu"];

function integer(option: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new InvalidOptionError(
      option,
      `${option} must be an integer >= ${min}, got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

function positive(option: string, value: unknown, allowZero = false): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new InvalidOptionError(
      option,
      `${option} must be a ${allowZero ? "non-negative" : "positive"} number, got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

function fraction(option: string, value: unknown): number {
  const n = positive(option, value, true);
  if (n > 1) throw new InvalidOptionError(option, `${option} must be between 0 and 1, got ${n}.`);
  return n;
}

function pueFactor(value: unknown): number {
  const n = positive("pue", value);
  if (n < 1)
    throw new InvalidOptionError("pue", `pue must be at least 1 (1 = no data-centre overhead), got ${n}.`);
  return n;
}

/** Parses "all", "cpu", "gpu", "gpu,cpu" into components (in the original's order: GPU, then CPU). */
export function parseComponents(value: string): Component[] {
  const names = value
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0) {
    throw new InvalidOptionError(
      "components",
      `components must be "all", "cpu", "gpu" or "gpu,cpu", got "${value}".`,
    );
  }
  if (names.includes("all")) return [...KNOWN_COMPONENTS];
  for (const name of names) {
    if (!(KNOWN_COMPONENTS as readonly string[]).includes(name)) {
      throw new InvalidOptionError(
        "components",
        `Unknown component "${name}" in components: use "all", "cpu", "gpu" or "gpu,cpu".`,
      );
    }
  }
  return KNOWN_COMPONENTS.filter((c) => names.includes(c));
}

function optionalString(option: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    throw new InvalidOptionError(
      option,
      `${option} must be a non-empty string, got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

/** The console option as a writer; the streams are looked up when written to. */
function consoleWriter(option: TrackerOptions["console"]): (text: string) => void {
  if (typeof option === "function") return option;
  if (option === undefined || option === "stdout") return (text) => void process.stdout.write(text);
  if (option === "stderr") return (text) => void process.stderr.write(text);
  throw new InvalidOptionError(
    "console",
    `console must be "stdout", "stderr" or a function receiving the text, got ${JSON.stringify(option)}.`,
  );
}

/** Applies defaults and validates as the original does (and a little more). Throws InvalidOptionError. */
export function resolveOptions(options: TrackerOptions): ResolvedOptions {
  if (options === null || typeof options !== "object") {
    throw new InvalidOptionError("epochs", "CarbonTracker needs an options object with at least { epochs }.");
  }
  const epochs = integer("epochs", options.epochs, 1);
  const epochsBeforePred = integer(
    "epochsBeforePred",
    options.epochsBeforePred ?? defaultOf("epochsBeforePred"),
    0,
  );
  const rawMonitor = options.monitorEpochs ?? defaultOf("monitorEpochs");
  if (
    typeof rawMonitor !== "number" ||
    !Number.isInteger(rawMonitor) ||
    rawMonitor === 0 ||
    rawMonitor < -1
  ) {
    throw new InvalidOptionError(
      "monitorEpochs",
      `monitorEpochs must be -1 (all epochs) or a positive integer, got ${JSON.stringify(rawMonitor)}.`,
    );
  }
  const monitorEpochs = rawMonitor === -1 ? epochs : rawMonitor;
  if (monitorEpochs < epochsBeforePred) {
    throw new InvalidOptionError(
      "monitorEpochs",
      `monitorEpochs (${monitorEpochs}) must not be less than epochsBeforePred (${epochsBeforePred}): the prediction needs the epochs it monitors.`,
    );
  }
  const simCpu = optionalString("simCpu", options.simCpu);
  const simGpu = optionalString("simGpu", options.simGpu);
  if (simCpu !== undefined && options.simCpuTdp === undefined) {
    throw new InvalidOptionError(
      "simCpuTdp",
      "simCpu is set but simCpuTdp is missing: give the simulated CPU's TDP in watts.",
    );
  }
  if (simGpu !== undefined && options.simGpuWatts === undefined) {
    throw new InvalidOptionError(
      "simGpuWatts",
      "simGpu is set but simGpuWatts is missing: give the simulated GPU's power in watts.",
    );
  }
  const componentsValue = options.components ?? defaultOf("components");
  if (typeof componentsValue !== "string") {
    throw new InvalidOptionError(
      "components",
      `components must be a string such as "gpu,cpu", got ${JSON.stringify(componentsValue)}.`,
    );
  }
  const verbose = integer("verbose", options.verbose ?? defaultOf("verbose"), 0);
  if (verbose > 2) throw new InvalidOptionError("verbose", `verbose must be 0, 1 or 2, got ${verbose}.`);
  const apiKeys = options.apiKeys ?? {};
  if (
    typeof apiKeys !== "object" ||
    apiKeys === null ||
    Object.values(apiKeys).some((v) => typeof v !== "string")
  ) {
    throw new InvalidOptionError(
      "apiKeys",
      'apiKeys must be an object of strings, e.g. { "electricitymaps": "KEY" }.',
    );
  }
  const country = optionalString("country", options.country);
  if (country !== undefined && !/^[A-Za-z]{2,3}$/.test(country)) {
    throw new InvalidOptionError(
      "country",
      `country must be an ISO 3166 alpha-2 code such as "DK", got "${country}".`,
    );
  }
  return {
    epochs,
    epochsBeforePred,
    monitorEpochs,
    updateInterval: positive("updateInterval", options.updateInterval ?? defaultOf("updateInterval")),
    interpretable: options.interpretable ?? defaultOf("interpretable"),
    stopAndConfirm: options.stopAndConfirm ?? defaultOf("stopAndConfirm"),
    ignoreErrors: options.ignoreErrors ?? defaultOf("ignoreErrors"),
    components: parseComponents(componentsValue),
    componentsExplicit: options.components !== undefined && options.components.trim().toLowerCase() !== "all",
    devicesByPid: options.devicesByPid ?? defaultOf("devicesByPid"),
    logDir: optionalString("logDir", options.logDir),
    logFilePrefix: options.logFilePrefix ?? defaultOf("logFilePrefix"),
    verbose,
    decimalPrecision: integer(
      "decimalPrecision",
      options.decimalPrecision ?? defaultOf("decimalPrecision"),
      0,
    ),
    apiKeys,
    simCpu,
    simCpuTdp: options.simCpuTdp === undefined ? undefined : positive("simCpuTdp", options.simCpuTdp, true),
    simCpuUtil: options.simCpuUtil === undefined ? undefined : fraction("simCpuUtil", options.simCpuUtil),
    simGpu,
    simGpuWatts:
      options.simGpuWatts === undefined ? undefined : positive("simGpuWatts", options.simGpuWatts, true),
    simGpuUtil: options.simGpuUtil === undefined ? undefined : fraction("simGpuUtil", options.simGpuUtil),
    pue: pueFactor(options.pue ?? defaultOf("pue")),
    country: country?.toUpperCase(),
    zone: optionalString("zone", options.zone),
    cpuTdp: options.cpuTdp === undefined ? undefined : positive("cpuTdp", options.cpuTdp),
    env: options.env ?? process.env,
    console: consoleWriter(options.console ?? options.stdout),
    pid: options.pid ?? process.pid,
  };
}

/** What the hardware backends need from the options (serialisable: it goes to the sampler worker). */
function detectionContext(o: ResolvedOptions): DetectionContext {
  return {
    env: { ...o.env },
    pid: o.pid,
    devicesByPid: o.devicesByPid,
    simCpu: o.simCpu,
    simCpuTdp: o.simCpuTdp,
    simCpuUtil: o.simCpuUtil,
    simGpu: o.simGpu,
    simGpuWatts: o.simGpuWatts,
    simGpuUtil: o.simGpuUtil,
    cpuTdp: o.cpuTdp,
    updateIntervalMs: o.updateInterval * 1000,
  };
}

/** What a run's sampler reads: the components left after the SLURM election, at the run's interval. */
export function samplerConfig(o: ResolvedOptions, election: SharedDeviceElection): SamplerConfig {
  return {
    components: componentsAfterElection(o.components, election),
    updateIntervalMs: o.updateInterval * 1000,
    context: detectionContext(o),
  };
}
