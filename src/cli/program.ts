// The command line: the original's options (underscores or dashes), ours, and the wrapped
// command. Parsing only; wiring lives in main.ts.
import { Command, Option } from "commander";
import { VERSION } from "../version.js";
import { normaliseOptionNames } from "./argv.js";
import type { TrackerOptions } from "../tracker/option-schema.js";
import { addTrackerFlags } from "./tracker-flags.js";

/** Parsed command line. */
export interface CliArguments {
  options: CliOptions;
  /** The wrapped command and its arguments (empty when none). */
  command: string[];
}

/** Options as commander gives them (camelCase): the tracker's (see OPTION_SCHEMA) and the CLI's own. */
export interface CliOptions extends Partial<TrackerOptions> {
  live: boolean;
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
  {
    name: "dashboard",
    usage: "dashboard [options]",
    summary: "Serve a web dashboard of the runs in the log folders.",
  },
  {
    name: "python-package",
    usage: "python-package",
    summary: "Print the folder of the Python package (for PYTHONPATH or pip install).",
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
  const program = new Command("carbontracker")
    .description(
      "Run a command and measure the energy and carbon footprint of it; predict the total after the first epochs.",
    )
    .usage("[options] [--] <command> [args...]")
    .version(VERSION, "-V, --version", "Print the version and exit.")
    .helpOption("-h, --help", "Show this help and exit.")
    .argument("[command...]", "The command to run and track (spawned without a shell).")
    .passThroughOptions()
    .allowExcessArguments();
  return addTrackerFlags(program)
    .option("--no-live", "Do not show the live status line on a terminal.")
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
