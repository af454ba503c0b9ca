// The tracker's options on the command line, made from OPTION_SCHEMA: one flag per option the
// CLI takes, with its value parser and range (commander's flags and help lines: program.ts); and
// back from parsed flags to the library's options. Loads no commander.
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

/**
 * The parser of an option's value on the command line (it throws InvalidValueError for a bad
 * one), or undefined where the value is taken as written.
 */
export function valueParserOf(
  name: OptionName,
  spec: OptionSpec<unknown>,
): ((raw: string) => unknown) | undefined {
  if (name === "apiKeys") return apiKeys;
  if (!spec.range) return undefined;
  const { min, max = Infinity, integer = false } = spec.range;
  return numberIn(min, max, integer);
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
