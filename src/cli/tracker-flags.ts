// The tracker's options on the command line, made from OPTION_SCHEMA: one flag per option the
// CLI takes, with its help line, value parser and range; and back from parsed flags to the
// library's options.
import { Option, type Command } from "commander";
import { jobLogDir } from "../cluster/job-log-dir.js";
import {
  OPTION_SCHEMA,
  type OptionName,
  type OptionSpec,
  type TrackerOptions,
} from "../tracker/option-schema.js";
import { apiKeys, numberIn } from "./values.js";

/** Options the CLI takes, with their flags. */
export const CLI_TRACKER_OPTIONS = (
  Object.entries(OPTION_SCHEMA) as [OptionName, OptionSpec<unknown>][]
).filter(([, spec]) => spec.cli !== undefined);

/** Adds a flag for every tracker option the CLI takes. */
export function addTrackerFlags(program: Command): Command {
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
    if (name === "apiKeys") flag.argParser(apiKeys);
    else if (spec.range) {
      const { min, max = Infinity, integer = false } = spec.range;
      flag.argParser(numberIn(min, max, integer));
    }
    program.addOption(flag);
  }
  return program;
}

/**
 * The library's options from parsed flags. Without --epochs the command is one epoch and no
 * prediction is made; without --log-dir logs go to ./logs (per job inside SLURM).
 */
export function trackerOptionsFromFlags(
  flags: Partial<TrackerOptions>,
  env: NodeJS.ProcessEnv,
): TrackerOptions {
  const options: Record<string, unknown> = {};
  for (const [name] of CLI_TRACKER_OPTIONS) {
    if (flags[name] !== undefined) options[name] = flags[name];
  }
  return {
    ...options,
    epochs: flags.epochs ?? 1,
    epochsBeforePred: flags.epochsBeforePred ?? (flags.epochs === undefined ? 0 : 1),
    logDir: flags.logDir ?? jobLogDir("./logs", env),
  };
}
