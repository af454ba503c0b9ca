// The command line: the original's options (underscores or dashes), ours, and the wrapped
// command. Parsing only; wiring lives in main.ts.
import { Command, Option } from "commander";
import { VERSION } from "../version.js";
import { normaliseOptionNames } from "./argv.js";
import { apiKeys, numberIn } from "./values.js";

/** Parsed command line. */
export interface CliArguments {
  options: CliOptions;
  /** The wrapped command and its arguments (empty when none). */
  command: string[];
}

/** Options as commander gives them (camelCase). */
export interface CliOptions {
  logDir?: string;
  apiKeys?: Record<string, string>;
  simCpu?: string;
  simCpuTdp?: number;
  simCpuUtil?: number;
  simGpu?: string;
  simGpuWatts?: number;
  simGpuUtil?: number;
  components: string;
  updateInterval: number;
  pue?: number;
  country?: string;
  zone?: string;
  cpuTdp?: number;
  verbose: number;
  decimalPrecision: number;
  logFilePrefix?: string;
  epochs?: number;
  epochsBeforePred?: number;
  monitorEpochs?: number;
  devicesByPid: boolean;
  ignoreErrors: boolean;
  interpretable: boolean;
  live: boolean;
  stopAndConfirm: boolean;
  parse?: string[];
  json: boolean;
  csv: boolean;
  statement: boolean;
  by?: "job" | "node" | "user";
  report?: string;
  output?: string;
}

/** The subcommands main.ts dispatches before parsing options, one line each for --help. */
export const SUBCOMMANDS: readonly { name: string; usage: string; summary: string }[] = [
  {
    name: "doctor",
    usage: "doctor [options]",
    summary: "Check what this machine can measure, and how to fix it.",
  },
  {
    name: "plan",
    usage: "plan --duration <time>",
    summary: "Find the start time with the cleanest forecast grid.",
  },
  {
    name: "agent",
    usage: "agent [options]",
    summary: "Measure this node and its SLURM jobs; serve metrics.",
  },
  { name: "help", usage: "help [command]", summary: "Show this help, or the help of a command." },
];

function commandsHelp(): string {
  const width = Math.max(...SUBCOMMANDS.map((c) => c.usage.length)) + 2;
  const lines = SUBCOMMANDS.map((c) => `  ${c.usage.padEnd(width)}${c.summary}`);
  return `\nCommands (carbontracker <command> --help for their options):\n${lines.join("\n")}\n`;
}

/** Builds the commander program (exposed for help-text tests). */
export function buildProgram(): Command {
  return new Command("carbontracker")
    .description(
      "Run a command and measure the energy and carbon footprint of it; predict the total after the first epochs.",
    )
    .usage("[options] [--] <command> [args...]")
    .version(VERSION, "-V, --version", "Print the version and exit.")
    .helpOption("-h, --help", "Show this help and exit.")
    .argument("[command...]", "The command to run and track (spawned without a shell).")
    .passThroughOptions()
    .allowExcessArguments()
    .option(
      "--log-dir <dir>",
      "Write logs to this folder (also --log_dir; default ./logs, inside a SLURM job ./logs/slurm-<job>).",
    )
    .option("--log-file-prefix <prefix>", "Prefix log file names with this.")
    .option(
      "--api-keys <json>",
      `API keys as JSON, e.g. '{"electricitymaps": "KEY"}' (also --api_keys).`,
      apiKeys,
    )
    .option("--components <list>", 'Measure these components: "all", "cpu", "gpu" or "gpu,cpu".', "all")
    .option("--update-interval <seconds>", "Sample power every this many seconds.", numberIn(0.05), 1)
    .option(
      "--pue <factor>",
      "Multiply energy by this power usage effectiveness (default 1.58).",
      numberIn(1, 10),
    )
    .option("--country <code>", "Use the grid of this country (ISO 3166 alpha-2, e.g. DK).")
    .option("--zone <zone>", "Use the grid of this Electricity Maps zone (e.g. DK-DK2).")
    .option(
      "--cpu-tdp <watts>",
      "Estimate CPU power from this TDP where no counter is readable.",
      numberIn(1, 10_000),
    )
    .option("--sim-cpu <name>", "Simulate a CPU with this name (needs --sim-cpu-tdp).")
    .option("--sim-cpu-tdp <watts>", "TDP of the simulated CPU.", numberIn(0, 10_000))
    .option(
      "--sim-cpu-util <fraction>",
      "Utilisation of the simulated CPU, 0 to 1 (default 0.5).",
      numberIn(0, 1),
    )
    .option("--sim-gpu <name>", "Simulate a GPU with this name (needs --sim-gpu-watts).")
    .option("--sim-gpu-watts <watts>", "Power of the simulated GPU.", numberIn(0, 10_000))
    .option(
      "--sim-gpu-util <fraction>",
      "Utilisation of the simulated GPU, 0 to 1 (default 0.5).",
      numberIn(0, 1),
    )
    .option(
      "--epochs <n>",
      "The command runs this many epochs and marks them (see README, IPC).",
      numberIn(1, Infinity, true),
    )
    .option(
      "--epochs-before-pred <n>",
      "Predict the total after this many epochs.",
      numberIn(0, Infinity, true),
    )
    .option(
      "--monitor-epochs <n>",
      "Report the actual consumption after this many epochs (-1: all).",
      numberIn(-1, Infinity, true),
    )
    .option("--decimal-precision <digits>", "Digits after the point in reports.", numberIn(0, 20, true), 12)
    .option("--verbose <level>", "0 quiet, 1 the original's output, 2 more detail.", numberIn(0, 2, true), 1)
    .option("--devices-by-pid", "Measure only GPUs running a process of the command.", false)
    .option("--ignore-errors", "On a measurement error, stop tracking and let the command run on.", false)
    .option("--no-interpretable", "Leave out the 'This is equivalent to' lines.")
    .option("--no-live", "Do not show the live status line on a terminal.")
    .option("--stop-and-confirm", "After the prediction, ask whether to continue.", false)
    .addOption(new Option("--parse <paths...>", "Aggregate the logs in these folders or files and exit."))
    .option("--json", "With --parse: one JSON record per run.", false)
    .option("--csv", "With --parse: one CSV row per run.", false)
    .option(
      "--statement",
      "With --parse: a statement for papers (method, sources, PUE, tool version).",
      false,
    )
    .addOption(
      new Option("--by <group>", "With --parse: totals per job, node or user.").choices([
        "job",
        "node",
        "user",
      ]),
    )
    .option("--report <log>", "Render a report of this run's log and exit (needs --output).")
    .option("--output <file>", "With --report: write to this .pdf or .html file.")
    .addHelpText("after", commandsHelp());
}

/** Value-taking long options of the program, for underscore normalisation. */
function valueTaker(program: Command): (long: string) => boolean | undefined {
  const takes = new Map(program.options.map((o) => [o.long ?? "", o.required || o.optional]));
  return (long) => takes.get(long);
}

/**
 * Parses argv (without node and script). Throws commander's CommanderError for bad input and
 * for --help/--version (exitCode 0).
 */
export function parseArguments(
  argv: readonly string[],
  write: { out: (s: string) => void; err: (s: string) => void },
): CliArguments {
  const program = buildProgram();
  program.exitOverride();
  program.configureOutput({ writeOut: write.out, writeErr: write.err, outputError: () => {} });
  program.parse(normaliseOptionNames(argv, valueTaker(program)), { from: "user" });
  return { options: program.opts<CliOptions>(), command: program.args };
}
