// `carbontracker doctor`: parses its own flags, runs the diagnosis or the RAPL permission fix,
// prints text or JSON and answers the exit code (0 all counters, 1 something weaker, 2 error).
import type { HttpFetch } from "../intensity/http/node-fetch.js";
import { BACKENDS } from "../hardware/registry.js";
import { Command, CommanderError, Option } from "commander";
import { InvalidOptionError } from "../errors/index.js";
import type { Backend, Component } from "../hardware/types.js";
import { applyPlan, type CommandRunner } from "../doctor/fix-apply.js";
import {
  DEFAULT_FIX_GROUP,
  GROUP_NAME,
  planFix,
  planUnfix,
  renderPlan,
  type FixMethod,
} from "../doctor/fix-plan.js";
import { renderDoctorJson } from "../doctor/render-json.js";
import { renderDoctorText } from "../doctor/render-text.js";
import { DEFAULT_SERVICE_TIMEOUT_S, runDoctor } from "../doctor/run-doctor.js";

/** Where doctor writes; process.stdout and process.stderr in the CLI. */
export interface DoctorIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** The world doctor touches, each with the real default (tests replace them). */
export interface DoctorSeams {
  uid?: number;
  platform?: NodeJS.Platform;
  fetch?: HttpFetch;
  now?: () => number;
  /** Runs groupadd and udevadm for --fix. */
  run?: CommandRunner;
  backends?: Record<Component, Backend[]>;
}

/** Exit code when doctor itself failed (bad flags, a fix that could not be applied). */
const DOCTOR_ERROR = 2;

interface DoctorFlags {
  json: boolean;
  fix: boolean;
  unfix: boolean;
  dryRun: boolean;
  group: string;
  method: FixMethod;
  components: string;
  timeout: number;
}

function parseComponents(value: string): Component[] {
  const parts = value
    .split(",")
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  const set = new Set<Component>();
  for (const part of parts) {
    if (part === "all") {
      set.add("cpu").add("gpu");
    } else if (part === "cpu" || part === "gpu") {
      set.add(part);
    } else {
      throw new InvalidOptionError(
        "components",
        `--components: unknown component '${part}' (use cpu, gpu or all)`,
      );
    }
  }
  if (set.size === 0)
    throw new InvalidOptionError("components", "--components: name at least one of cpu, gpu, all");
  return (["cpu", "gpu"] as const).filter((c) => set.has(c));
}

function parseTimeout(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 60) {
    throw new InvalidOptionError(
      "timeout",
      `--timeout: ${value} is not a number of seconds between 0 and 60`,
    );
  }
  return n;
}

function program(io: DoctorIo): Command {
  return new Command("carbontracker doctor")
    .description("Say what can be measured on this machine, why not, and how to fix it.")
    .option("--json", "print the report as JSON for scripts")
    .option("--fix", "as root: let a group read the RAPL energy counters, persistently and now")
    .option("--unfix", "as root: remove what --fix installed")
    .option("--dry-run", "with --fix or --unfix: print what would be written and run, change nothing")
    .option(
      "--group <name>",
      "the group --fix lets read the counters (created when missing)",
      DEFAULT_FIX_GROUP,
    )
    .addOption(
      new Option("--method <method>", "how --fix persists: a udev rule or a systemd-tmpfiles line")
        .choices(["udev", "tmpfiles"])
        .default("udev"),
    )
    .option("--components <list>", "components to check: cpu, gpu or all", "all")
    .option("--timeout <seconds>", "time-out of each service check", String(DEFAULT_SERVICE_TIMEOUT_S))
    .helpOption("-h, --help", "show this help")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
}

async function fixCommand(
  flags: DoctorFlags,
  io: DoctorIo,
  env: Record<string, string | undefined>,
  seams: DoctorSeams,
): Promise<number> {
  const flag = flags.fix ? "--fix" : "--unfix";
  if (!GROUP_NAME.test(flags.group)) {
    throw new InvalidOptionError(
      "group",
      `--group: '${flags.group}' is not a valid group name (lower case, digits, _ and -)`,
    );
  }
  const uid = seams.uid ?? process.getuid?.();
  if (!flags.dryRun && uid !== 0) {
    throw new InvalidOptionError(
      flag,
      `${flag} changes system files and must run as root: sudo carbontracker doctor ${flag} (or add --dry-run to see what it would do)`,
    );
  }
  const options = {
    root: env.CARBONTRACKER_SYSTEM_ROOT || "/",
    group: flags.group,
    method: flags.method,
    pathVariable: env.PATH,
  };
  const plan = flags.fix ? planFix(options) : planUnfix(options);
  if (!flags.dryRun) applyPlan(plan, seams.run);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ version: 1, dryRun: flags.dryRun, ...plan }, null, 2)}\n`);
  } else {
    io.stdout.write(renderPlan(plan, flags.dryRun));
  }
  return 0;
}

/**
 * Runs `carbontracker doctor` with the arguments after `doctor`. Resolves to the exit code: 0 when
 * every requested component is measured by a counter, 1 when one is sampled, estimated or not
 * measured, 2 on bad flags or a failed fix. Never exits the process.
 */
export async function runDoctorCommand(
  argv: string[],
  io: DoctorIo,
  env: Record<string, string | undefined>,
  seams: DoctorSeams = {},
): Promise<number> {
  let flags: DoctorFlags;
  try {
    const parsed = program(io).parse(argv, { from: "user" }).opts<Partial<DoctorFlags>>();
    flags = {
      ...(parsed as DoctorFlags),
      json: parsed.json === true,
      fix: parsed.fix === true,
      unfix: parsed.unfix === true,
      dryRun: parsed.dryRun === true,
    };
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : DOCTOR_ERROR;
    throw error;
  }
  try {
    if (flags.fix && flags.unfix) throw new InvalidOptionError("fix", "--fix and --unfix exclude each other");
    if (flags.dryRun && !flags.fix && !flags.unfix) {
      throw new InvalidOptionError("dry-run", "--dry-run goes with --fix or --unfix");
    }
    if (flags.fix || flags.unfix) return await fixCommand(flags, io, env, seams);
    const report = await runDoctor({
      components: parseComponents(flags.components),
      env,
      serviceTimeoutS: parseTimeout(String(flags.timeout)),
      ...(seams.uid !== undefined ? { uid: seams.uid } : {}),
      ...(seams.platform !== undefined ? { platform: seams.platform } : {}),
      ...(seams.fetch !== undefined ? { fetch: seams.fetch } : {}),
      ...(seams.now !== undefined ? { now: seams.now } : {}),
      backends: seams.backends ?? BACKENDS,
    });
    io.stdout.write(flags.json ? renderDoctorJson(report) : renderDoctorText(report));
    return report.exitCode;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`carbontracker doctor: ${message}\n`);
    return DOCTOR_ERROR;
  }
}
