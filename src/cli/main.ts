#!/usr/bin/env node
// The composition root: parses the command line, wires the concrete backends and runs the
// requested job. The only place that exits the process.
import { CarbonTrackerError, InvalidOptionError } from "../errors/index.js";
import { resolveOptions } from "../tracker/options.js";
import { trackerOptionsFromFlags } from "./tracker-flags.js";
import { LiveView, liveViewEnabled } from "./live-view.js";
import type { CliArguments, CliOptions } from "./program.js";
import { SUBCOMMANDS } from "./subcommands.js";
import { parseCommonForm } from "./common-form-argv.js";
import { commanderProblem } from "./values.js";
import { runWrapped, SpawnFailure } from "./wrap.js";
import { findCommand } from "../hardware/find-command.js";
import { TrackerSlot } from "./tracker-slot.js";
import { mergeScriptOptions } from "./script-options.js";
import { cliStyle, programOptions, styleFor } from "./original-style.js";
import { stderrIsTerminal, writeStderr } from "./stderr.js";
import { writeStdout } from "./stdout.js";

/** Exit code for bad usage (an option or value). */
const USAGE_ERROR = 2;

async function trackCommand(options: CliOptions, command: string[]): Promise<number> {
  const libraryOptions = trackerOptionsFromFlags(options, process.env);
  const resolved = resolveOptions(libraryOptions);
  const file = command[0] as string;
  if (!findCommand(file, process.env.PATH)) {
    throw new SpawnFailure(127, `command not found or not executable: ${file}`);
  }
  const live = liveViewEnabled(options.live, { isTTY: stderrIsTerminal() })
    ? new LiveView(process.stderr, resolved.epochs)
    : undefined;
  let userStopped = false;
  // The wrapped script's own CarbonTracker(...) may replace this tracker before its first epoch.
  const slot = await TrackerSlot.prepare(
    { ...libraryOptions, original: cliStyle(libraryOptions) },
    {
      console: writeStderr,
      sinks: live ? [live] : [],
      onSample: (snapshot) => live?.sample(snapshot),
      onUserStop: () => (userStopped = true),
      command,
      // A live view shows each sample as it is taken; otherwise they come in batches.
      ...(live ? { sampleBatchMs: 0 } : {}),
    },
  );
  try {
    // A run the tracker refuses (a component named in --components is missing) fails before
    // its command starts, as it always did: the tracker is built first, and throws.
    if (slot.refuses()) slot.start();
  } catch (error) {
    slot.close();
    throw error;
  }
  live?.start(slot.sampler.description().devices);
  try {
    return await runWrapped(slot, command, {
      env: process.env,
      onEpoch: (epoch) => live?.setEpoch(epoch),
      userStopped: () => userStopped,
      configure: async (script) => {
        const program = programOptions(script);
        const { flags, notes } = mergeScriptOptions(options, program.options);
        const merged = trackerOptionsFromFlags(flags, process.env);
        await slot.replace({ ...merged, original: styleFor(program.style, merged) });
        return notes;
      },
      note: writeStderr,
      // The command starts as soon as the counters' baseline is read; the tracker (logs,
      // intensity, device details) is built while it runs, its first epoch from that baseline.
      startAroundSpawn: () => {
        const baseline = slot.sampler.readNow();
        return () => void slot.start(baseline);
      },
    });
  } finally {
    live?.stop();
    slot.close();
  }
}

/** Bad usage: one line on stderr naming what is wrong and where the options are listed. */
function usage(message: string): number {
  const line = message.replace(/\s*\n\s*/g, " ").replace(/[.:]?\s*$/, "");
  writeStderr(`carbontracker: ${line}; see 'carbontracker --help'.\n`);
  return USAGE_ERROR;
}

/** Runs a subcommand; undefined when `name` is none (then it is a command to wrap). */
async function runSubcommand(name: string | undefined, args: string[]): Promise<number | undefined> {
  const io = {
    stdout: writeStdout,
    stderr: writeStderr,
  };
  if (name === "agent") {
    const { runAgentCommand } = await import("./agent-command.js");
    return runAgentCommand(args, io, process.env);
  }
  if (name === "plan") {
    const { runPlanCommand } = await import("./plan-command.js");
    return runPlanCommand(args, io, process.env);
  }
  if (name === "dashboard") {
    const { runDashboardCommand } = await import("./dashboard-command.js");
    return runDashboardCommand(args, io);
  }
  if (name === "doctor") {
    const { runDoctorCommand } = await import("./doctor-command.js");
    return runDoctorCommand(args, { stdout: { write: writeStdout }, stderr: process.stderr }, process.env);
  }
  if (name === "engine") {
    const { runEngineCommand } = await import("./engine-command.js");
    return runEngineCommand(args, io);
  }
  if (name === "python-package") {
    if (args.includes("--help") || args.includes("-h")) {
      io.stdout(
        'Usage: carbontracker python-package\n\nPrint the folder holding the Python package `carbontracker` (the original\'s API on this\nengine). Put it on PYTHONPATH, or install it offline: pip install "$(carbontracker python-package)"\n',
      );
      return 0;
    }
    const { pythonClientDir } = await import("./child-env.js");
    const dir = pythonClientDir();
    if (dir) io.stdout(`${dir}\n`);
    else io.stderr("carbontracker: the Python package (clients/python) is missing from this install.\n");
    return dir ? 0 : 1;
  }
  if (name === "help") {
    const topic = args[0];
    if (topic === undefined || topic === "help") return main(["--help"]);
    const known = SUBCOMMANDS.filter((c) => c.name !== "help").map((c) => c.name);
    if (!known.includes(topic))
      return usage(`help: no command '${topic}'; the commands are ${known.join(", ")}`);
    return runSubcommand(topic, ["--help"]);
  }
  return undefined;
}

/**
 * The parsed command line, or the exit code once commander has answered (--help, --version, bad
 * usage). A tracked run's common form is read without commander, which is loaded for any other.
 */
async function parseCommandLine(
  argv: string[],
  write: { out: (s: string) => void; err: (s: string) => void },
): Promise<CliArguments | number> {
  const common = parseCommonForm(argv);
  if (common) return common as unknown as CliArguments;
  const { parseWithCommander, CommanderError } = await import("./program.js");
  try {
    return parseWithCommander(argv, write);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return error.exitCode === 0 ? 0 : usage(commanderProblem(error));
  }
}

async function main(argv: string[]): Promise<number> {
  const write = {
    out: writeStdout,
    err: writeStderr,
  };
  // Subcommands come first; anything else is a command to wrap.
  const subcommand = await runSubcommand(argv[0], argv.slice(1));
  if (subcommand !== undefined) return subcommand;
  const parsed = await parseCommandLine(argv, write);
  if (typeof parsed === "number") return parsed;
  const { options, command } = parsed;
  const formats = [
    options.json && "--json",
    options.csv && "--csv",
    options.statement && "--statement",
  ].filter(Boolean);
  if (formats.length > 1)
    return usage(`${formats.join(" and ")} cannot be combined: choose one output format.`);
  if (options.parse) {
    if (command.length > 0)
      return usage(`--parse takes folders or files, not a command to run (got '${command[0]}').`);
    const { runParseCommand } = await import("../reports/parse-command.js");
    return runParseCommand(
      {
        paths: options.parse,
        json: options.json,
        csv: options.csv,
        statement: options.statement,
        by: options.by,
      },
      { stdout: write.out, stderr: write.err },
    );
  }
  if (formats.length > 0 || options.by) {
    return usage(`${formats[0] ?? "--by"} only goes with --parse DIR.`);
  }
  if (options.report !== undefined || options.output !== undefined) {
    if (options.report === undefined) return usage("--output goes with --report LOG.");
    if (options.output === undefined) return usage("--report needs --output FILE (.pdf or .html).");
    const { runReportCommand } = await import("./run-report-command.js");
    return runReportCommand(
      { log: options.report, output: options.output },
      { stdout: write.out, stderr: write.err },
    );
  }
  if (command.length === 0)
    return usage("no command given. Usage: carbontracker [options] <command> [args...]");
  return trackCommand(options, command);
}

/** The exit code of a failed run, its message written. */
function failureCode(error: unknown): number {
  if (error instanceof SpawnFailure) {
    writeStderr(`carbontracker: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof InvalidOptionError) {
    writeStderr(`carbontracker: invalid ${error.option}: ${error.message}\n`);
    return USAGE_ERROR;
  }
  if (error instanceof CarbonTrackerError) {
    writeStderr(`carbontracker: ${error.message}\n`);
    return USAGE_ERROR;
  }
  writeStderr(
    `carbontracker: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 70;
}

/**
 * Ends with `code` once the event loop is empty. A sampler thread stuck in a driver call does not
 * hold the process: the exit goes past it 2 s after the sampler was closed (stuck-worker-exit.ts),
 * so a SLURM job does not keep its allocation until its time limit.
 */
function finish(code: number): void {
  process.exitCode = code;
}

void main(process.argv.slice(2)).then(finish, (error: unknown) => finish(failureCode(error)));
