// The one definition of the tracker's options: the library's types and defaults, the CLI's
// flags and help, the Python keywords and the README's table all come from (or are tested
// against) this table. The original's options keep its names (snake_case in Python, camelCase
// here); ours are marked as such.

/** One option. `T` is the value a caller passes. */
export interface OptionSpec<T> {
  /** What it does, in one imperative line: CLI help and README. */
  doc: string;
  /** The keyword of the Python original (2.4.3), when it has the option. */
  original?: string;
  /** Our Python keyword (keyword-only) for options the original lacks. */
  python?: string;
  /** The default a caller gets (library, Python, CLI unless `cliDefault`). */
  default?: T;
  /** The CLI flag and value name, when the CLI takes the option (`--log-dir <dir>`). */
  cli?: string;
  /** Numeric range checked by the CLI and the library. */
  range?: { min: number; max?: number; integer?: boolean };
  /** Carries the value type; never set. */
  readonly valueType?: T;
}

function option<T>(spec: Omit<OptionSpec<T>, "valueType">): OptionSpec<T> {
  return spec;
}

/** Every option of `new CarbonTracker(...)`. Times in seconds, power in watts. */
export const OPTION_SCHEMA = {
  /** Total epochs the training will run (required, >= 1). */
  epochs: option<number>({
    doc: "The command runs this many epochs and marks them (see README, IPC).",
    original: "epochs",
    cli: "--epochs <n>",
    range: { min: 1, integer: true },
  }),
  /** Epochs to measure before predicting the total (0 = no prediction). Default 1. */
  epochsBeforePred: option<number>({
    doc: "Predict the total after this many epochs (default 1 with --epochs, else no prediction).",
    original: "epochs_before_pred",
    default: 1,
    cli: "--epochs-before-pred <n>",
    range: { min: 0, integer: true },
  }),
  /** Epochs to measure before reporting the actual consumption; -1 = all epochs. Default -1. */
  monitorEpochs: option<number>({
    doc: "Report the actual consumption after this many epochs (-1: all).",
    original: "monitor_epochs",
    default: -1,
    cli: "--monitor-epochs <n>",
    range: { min: -1, integer: true },
  }),
  /** Seconds between power samples. Default 1 (readers with counters that could wrap sample faster). */
  updateInterval: option<number>({
    doc: "Sample power every this many seconds.",
    original: "update_interval",
    default: 1,
    cli: "--update-interval <seconds>",
    range: { min: 0.05 },
  }),
  /** Add "This is equivalent to: ... km travelled by car" to reports. Default true. */
  interpretable: option<boolean>({
    doc: "Leave out the 'This is equivalent to' lines.",
    original: "interpretable",
    default: true,
    cli: "--no-interpretable",
  }),
  /** After the prediction, ask whether to continue. Default false. */
  stopAndConfirm: option<boolean>({
    doc: "After the prediction, ask whether to continue.",
    original: "stop_and_confirm",
    default: false,
    cli: "--stop-and-confirm",
  }),
  /** On a measurement error, switch tracking off instead of throwing. Default false. */
  ignoreErrors: option<boolean>({
    doc: "On a measurement error, stop tracking and let the command run on.",
    original: "ignore_errors",
    default: false,
    cli: "--ignore-errors",
  }),
  /** Which components to measure: "all", "cpu", "gpu" or a comma list. Default "all". */
  components: option<string>({
    doc: 'Measure these components: "all", "cpu", "gpu" or "gpu,cpu".',
    original: "components",
    default: "all",
    cli: "--components <list>",
  }),
  /** Only devices running a process of this program's tree. Default false. */
  devicesByPid: option<boolean>({
    doc: "Measure only GPUs running a process of the command.",
    original: "devices_by_pid",
    default: false,
    cli: "--devices-by-pid",
  }),
  /** Folder for log files; no logs when undefined (the CLI's default: ./logs). */
  logDir: option<string>({
    doc: "Write logs to this folder (default ./logs, inside a SLURM job ./logs/slurm-<job>).",
    original: "log_dir",
    cli: "--log-dir <dir>",
  }),
  /** Prefix of log file names. */
  logFilePrefix: option<string>({
    doc: "Prefix log file names with this.",
    original: "log_file_prefix",
    default: "",
    cli: "--log-file-prefix <prefix>",
  }),
  /** 0 quiet, 1 the original's output, 2 more detail. Default 1. */
  verbose: option<number>({
    doc: "0 quiet, 1 the original's output, 2 more detail.",
    original: "verbose",
    default: 1,
    cli: "--verbose <level>",
    range: { min: 0, max: 2, integer: true },
  }),
  /** Digits after the point in reports. Default 12. */
  decimalPrecision: option<number>({
    doc: "Digits after the point in reports.",
    original: "decimal_precision",
    default: 12,
    cli: "--decimal-precision <digits>",
    range: { min: 0, max: 20, integer: true },
  }),
  /** API keys, e.g. `{ electricitymaps: "KEY" }`. Never logged. */
  apiKeys: option<Record<string, string>>({
    doc: `API keys as JSON, e.g. '{"electricitymaps": "KEY"}'; never printed or logged.`,
    original: "api_keys",
    cli: "--api-keys <json>",
  }),
  /** Simulated CPU name; needs simCpuTdp. */
  simCpu: option<string>({
    doc: "Simulate a CPU with this name (needs --sim-cpu-tdp).",
    original: "sim_cpu",
    cli: "--sim-cpu <name>",
  }),
  /** Simulated CPU TDP (W). */
  simCpuTdp: option<number>({
    doc: "TDP of the simulated CPU in watts.",
    original: "sim_cpu_tdp",
    cli: "--sim-cpu-tdp <watts>",
    range: { min: 0, max: 10_000 },
  }),
  /** Simulated CPU utilisation in [0, 1]. Default 0.5. */
  simCpuUtil: option<number>({
    doc: "Utilisation of the simulated CPU, 0 to 1 (default 0.5).",
    original: "sim_cpu_util",
    cli: "--sim-cpu-util <fraction>",
    range: { min: 0, max: 1 },
  }),
  /** Simulated GPU name; needs simGpuWatts. */
  simGpu: option<string>({
    doc: "Simulate a GPU with this name (needs --sim-gpu-watts).",
    original: "sim_gpu",
    cli: "--sim-gpu <name>",
  }),
  /** Simulated GPU power (W). */
  simGpuWatts: option<number>({
    doc: "Power of the simulated GPU in watts.",
    original: "sim_gpu_watts",
    cli: "--sim-gpu-watts <watts>",
    range: { min: 0, max: 10_000 },
  }),
  /** Simulated GPU utilisation in [0, 1]. Default 0.5. */
  simGpuUtil: option<number>({
    doc: "Utilisation of the simulated GPU, 0 to 1 (default 0.5).",
    original: "sim_gpu_util",
    cli: "--sim-gpu-util <fraction>",
    range: { min: 0, max: 1 },
  }),
  /** Power usage effectiveness of the data centre. Default 1.58 (Uptime Institute 2023). */
  pue: option<number>({
    doc: "Multiply energy by this power usage effectiveness (default 1.58).",
    python: "pue",
    default: 1.58,
    cli: "--pue <factor>",
    range: { min: 1, max: 10 },
  }),
  /** ISO 3166 alpha-2 country of the machine (overrides detection). */
  country: option<string>({
    doc: "Use the grid of this country (ISO 3166 alpha-2, e.g. DK).",
    python: "country",
    cli: "--country <code>",
  }),
  /** Electricity Maps zone of the machine (overrides detection). */
  zone: option<string>({
    doc: "Use the grid of this Electricity Maps zone (e.g. DK-DK2).",
    python: "zone",
    cli: "--zone <zone>",
  }),
  /** CPU TDP (W) for the estimate used where no energy counter is readable. */
  cpuTdp: option<number>({
    doc: "Estimate CPU power from this TDP in watts where no counter is readable.",
    python: "cpu_tdp",
    cli: "--cpu-tdp <watts>",
    range: { min: 1, max: 10_000 },
  }),
  /** Environment (the seams of DESIGN.md); default process.env. */
  env: option<Record<string, string | undefined>>({ doc: "Environment variables (the seams)." }),
  /**
   * Where the console lines go: "stdout" (default, as the original), "stderr" (keeps a
   * program's stdout its own), or a function that receives the text (a notebook, a test).
   */
  console: option<"stdout" | "stderr" | ((text: string) => void)>({
    doc: "Where the console lines go.",
    default: "stdout",
  }),
  /** A function that receives the console text; the older spelling of `console: fn`. */
  stdout: option<(text: string) => void>({ doc: "A function receiving the console text." }),
  /** Process whose devices are tracked with devicesByPid; default process.pid. */
  pid: option<number>({ doc: "Process whose GPUs devicesByPid follows." }),
};

type Schema = typeof OPTION_SCHEMA;
type ValueOf<S> = S extends OptionSpec<infer T> ? T : never;

/** Options of `new CarbonTracker(...)` (the documentation of each is on OPTION_SCHEMA's entry). */
export type TrackerOptions = { [K in keyof Schema]?: ValueOf<Schema[K]> } & { epochs: number };

/** The name of an option. */
export type OptionName = keyof Schema;

/** The default of an option; throws when it has none (a programming error). */
export function defaultOf<K extends OptionName>(name: K): ValueOf<Schema[K]> {
  const spec = OPTION_SCHEMA[name] as OptionSpec<ValueOf<Schema[K]>>;
  if (spec.default === undefined) throw new Error(`option ${name} has no default`);
  return spec.default;
}
