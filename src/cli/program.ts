// The command line by commander, its reference: the original's options (underscores or dashes),
// ours, their help, and the wrapped command. Parsing only; wiring lives in main.ts, which loads
// this module only for a command line that is not a tracked run's common form
// (common-form-argv.ts reads that one).
import { Command, CommanderError, Option } from "commander";
import { VERSION } from "../version.js";
import { normaliseOptionNames } from "./argv.js";
import type { TrackerOptions } from "../tracker/option-schema.js";
import { CLI_TRACKER_OPTIONS, valueParserOf } from "./tracker-flags.js";
import { commanderParser } from "./commander-parser.js";
import { SUBCOMMANDS } from "./subcommands.js";

export { CommanderError };

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

/** Adds a flag for every tracker option the CLI takes, with its help line and value parser. */
function addTrackerFlags(program: Command): Command {
  for (const [name, spec] of CLI_TRACKER_OPTIONS) {
    const shown =
      spec.default !== undefined &&
      typeof spec.default !== "boolean" &&
      spec.default !== "" &&
      !spec.doc.includes("default");
    const flag = new Option(
      spec.cli as string,
      shown ? `${spec.doc} (default ${JSON.stringify(spec.default)})` : spec.doc,
    );
    const parse = valueParserOf(name, spec);
    if (parse) flag.argParser(commanderParser(parse));
    program.addOption(flag);
  }
  return program;
}

/** Value-taking long options of the program, for underscore normalisation. */
function valueTaker(program: Command): (long: string) => boolean | undefined {
  const takes = new Map(program.options.map((o) => [o.long ?? "", o.required || o.optional]));
  return (long) => takes.get(long);
}

/**
 * Parses argv (without node and script) with commander, the reference for every form of the
 * command line. Throws commander's CommanderError for bad input and for --help/--version
 * (exitCode 0).
 */
export function parseWithCommander(
  argv: readonly string[],
  write: { out: (s: string) => void; err: (s: string) => void },
): CliArguments {
  const program = buildProgram();
  program.exitOverride();
  program.configureOutput({ writeOut: write.out, writeErr: write.err, outputError: () => {} });
  program.parse(normaliseOptionNames(argv, valueTaker(program)), { from: "user" });
  return { options: program.opts<CliOptions>(), command: program.args };
}
