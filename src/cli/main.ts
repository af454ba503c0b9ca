#!/usr/bin/env node
// The composition root: parses the command line, wires the concrete backends and runs the
// requested job. The only place that exits the process.
import { CommanderError } from "commander";
import { CarbonTrackerError, InvalidOptionError } from "../errors/index.js";
import { CarbonTracker } from "../tracker/carbon-tracker.js";
import {
  detectionContext,
  resolveOptions,
  type ResolvedOptions,
  type TrackerOptions,
} from "../tracker/options.js";
import type { Component } from "../hardware/types.js";
import { InThreadSampler, type Sampler } from "../sampling/sampler.js";
import { WorkerSampler } from "../sampling/worker-sampler.js";
import type { Snapshot } from "../sampling/reader-set.js";
import { mayBlockInDriver } from "../sampling/sampler-choice.js";
import { LiveView, liveViewEnabled } from "./live-view.js";
import { parseArguments, type CliOptions } from "./program.js";
import { runWrapped, SpawnFailure } from "./wrap.js";
import { stderrIsTerminal, writeStderr } from "./stderr.js";
import { findCommand } from "../hardware/find-command.js";
import { electSharedDeviceMeasurer } from "../cluster/shared-device-election.js";
import { componentsAfterElection } from "../cluster/rank-components.js";
import { jobLogDir } from "../cluster/job-log-dir.js";

/** Exit code for bad usage (an option or value). */
const USAGE_ERROR = 2;

function trackerOptions(o: CliOptions): TrackerOptions {
  const epochs = o.epochs ?? 1;
  return {
    epochs,
    epochsBeforePred: o.epochsBeforePred ?? (o.epochs === undefined ? 0 : 1),
    monitorEpochs: o.monitorEpochs ?? -1,
    updateInterval: o.updateInterval,
    interpretable: o.interpretable,
    stopAndConfirm: o.stopAndConfirm,
    ignoreErrors: o.ignoreErrors,
    components: o.components,
    devicesByPid: o.devicesByPid,
    logDir: o.logDir ?? jobLogDir("./logs", process.env),
    logFilePrefix: o.logFilePrefix,
    verbose: o.verbose,
    decimalPrecision: o.decimalPrecision,
    apiKeys: o.apiKeys,
    simCpu: o.simCpu,
    simCpuTdp: o.simCpuTdp,
    simCpuUtil: o.simCpuUtil,
    simGpu: o.simGpu,
    simGpuWatts: o.simGpuWatts,
    simGpuUtil: o.simGpuUtil,
    pue: o.pue,
    country: o.country,
    zone: o.zone,
    cpuTdp: o.cpuTdp,
  };
}

async function trackCommand(options: CliOptions, command: string[]): Promise<number> {
  const resolved = resolveOptions(trackerOptions(options));
  const file = command[0] as string;
  if (!findCommand(file, process.env.PATH)) {
    throw new SpawnFailure(127, `command not found or not executable: ${file}`);
  }
  const live = liveViewEnabled(options.live, { isTTY: stderrIsTerminal() })
    ? new LiveView(process.stderr, resolved.epochs)
    : undefined;
  // One election per process: the tracker below reuses it (a second one would lose to this lock).
  const election = electSharedDeviceMeasurer(process.env);
  const samplerConfig = {
    components: componentsAfterElection(resolved.components, election),
    updateIntervalMs: resolved.updateInterval * 1000,
    context: detectionContext(resolved),
    // A live view shows each sample as it is taken; otherwise they come in batches.
    ...(live ? { sampleBatchMs: 0 } : {}),
  };
  const onSample = (snapshot: Snapshot) => live?.sample(snapshot);
  const sampler: Sampler = mayBlockInDriver(samplerConfig.components, process.env)
    ? new WorkerSampler(samplerConfig, onSample)
    : await InThreadSampler.open(samplerConfig, onSample);
  let userStopped = false;
  // The command starts as soon as the counters' baseline is read; the tracker (logs, intensity,
  // device details) is built while it runs, and its first epoch starts at that baseline.
  const startTracker = (baseline?: Snapshot) =>
    new CarbonTracker(
      { ...trackerOptions(options), stdout: writeStderr },
      { sampler, election, sinks: live ? [live] : [], onUserStop: () => (userStopped = true), baseline },
    );
  let refused: CarbonTracker | undefined;
  try {
    // A run the tracker refuses (a component asked for by name is missing) fails before its
    // command starts, as it always did: the tracker is built first and throws.
    if (trackerRefuses(resolved, samplerConfig.components, sampler)) refused = startTracker();
  } catch (error) {
    sampler.close();
    election.release();
    throw error;
  }
  live?.start(sampler.description().devices);
  try {
    const start = () => {
      if (refused) return () => refused as CarbonTracker;
      const baseline = sampler.readNow();
      return () => startTracker(baseline);
    };
    return await runWrapped(start, command, {
      env: process.env,
      trackEpochs: true,
      onEpoch: (epoch) => live?.setEpoch(epoch),
      userStopped: () => userStopped,
    });
  } finally {
    live?.stop();
  }
}

/** Whether the tracker will refuse the run: a component named in --components has no device. */
function trackerRefuses(resolved: ResolvedOptions, components: Component[], sampler: Sampler): boolean {
  if (!resolved.componentsExplicit || resolved.ignoreErrors) return false;
  const devices = sampler.description().devices;
  return components.some((component) => !devices.some((d) => d.component === component));
}

async function main(argv: string[]): Promise<number> {
  const write = {
    out: (s: string) => void process.stdout.write(s),
    err: writeStderr,
  };
  // Subcommands come first; anything else is a command to wrap.
  if (argv[0] === "agent") {
    const { runAgentCommand } = await import("./agent-command.js");
    return runAgentCommand(argv.slice(1), { stdout: write.out, stderr: write.err }, process.env);
  }
  if (argv[0] === "plan") {
    const { runPlanCommand } = await import("./plan-command.js");
    return runPlanCommand(argv.slice(1), { stdout: write.out, stderr: write.err }, process.env);
  }
  if (argv[0] === "doctor") {
    const { runDoctorCommand } = await import("./doctor-command.js");
    return runDoctorCommand(argv.slice(1), process, process.env);
  }
  let parsed;
  try {
    parsed = parseArguments(argv, write);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      // Commander quotes the rejected value; an --api_keys value may hold a key, so it never is.
      const message = error.message
        .replace(/^error: /, "")
        .replace(/ argument '.*' is invalid\./s, " value is invalid:");
      writeStderr(`carbontracker: ${message}\n`);
      writeStderr("Run 'carbontracker --help' for the options.\n");
      return USAGE_ERROR;
    }
    throw error;
  }
  const { options, command } = parsed;
  const usage = (message: string) => {
    writeStderr(`carbontracker: ${message}\nRun 'carbontracker --help' for the options.\n`);
    return USAGE_ERROR;
  };
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
  if (command.length === 0) {
    writeStderr("carbontracker: no command given. Usage: carbontracker [options] <command> [args...]\n");
    writeStderr("Run 'carbontracker --help' for the options.\n");
    return USAGE_ERROR;
  }
  return trackCommand(options, command);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof SpawnFailure) {
      writeStderr(`carbontracker: ${error.message}\n`);
      process.exitCode = error.exitCode;
    } else if (error instanceof InvalidOptionError) {
      writeStderr(`carbontracker: invalid ${error.option}: ${error.message}\n`);
      process.exitCode = USAGE_ERROR;
    } else if (error instanceof CarbonTrackerError) {
      writeStderr(`carbontracker: ${error.message}\n`);
      process.exitCode = USAGE_ERROR;
    } else {
      writeStderr(
        `carbontracker: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 70;
    }
  },
);
