// The options of a wrapped program's own `CarbonTracker(...)` (the Python bindings under the CLI)
// against the command line's: a flag given on the command line wins, with a note; the script's
// values win over the CLI's defaults. So `carbontracker python train.py` takes the epochs,
// prediction and log folder from the script, and `--log_dir` still overrides them.
import type { OptionSpec, TrackerOptions } from "../tracker/option-schema.js";
import type { CliOptions } from "./program.js";
import { commonDefaults } from "./common-form-argv.js";
import { CLI_TRACKER_OPTIONS } from "./tracker-flags.js";

const SCRIPT_OPTIONS = new Map<string, OptionSpec<unknown>>(CLI_TRACKER_OPTIONS);

/** What the merge gives: the flags to build the tracker from, and lines for the user. */
export interface MergedOptions {
  flags: Partial<TrackerOptions>;
  notes: string[];
}

/**
 * Merges a script's tracker options (camelCase, as OPTION_SCHEMA names them) into the command
 * line's flags. Options the CLI does not take are reported in a note and left out. Values are
 * not echoed (one may be an API key).
 */
export function mergeScriptOptions(cli: CliOptions, script: Record<string, unknown>): MergedOptions {
  const defaults = commonDefaults();
  const given = cli as unknown as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...cli };
  const notes: string[] = [];
  for (const [key, value] of Object.entries(script)) {
    const spec = SCRIPT_OPTIONS.get(key);
    if (!spec) {
      notes.push(`carbontracker: the script's option ${key} is not known here and is ignored.`);
      continue;
    }
    if (value === undefined || value === null) continue;
    const explicit = JSON.stringify(given[key]) !== JSON.stringify(defaults[key]);
    if (!explicit) merged[key] = value;
    else if (JSON.stringify(given[key]) !== JSON.stringify(value)) {
      const flag = (spec.cli as string).split(" ")[0]?.replace(/^--no-/, "--");
      notes.push(
        `carbontracker: ${flag} on the command line wins over the script's ${spec.original ?? spec.python ?? key}.`,
      );
    }
  }
  return { flags: merged as Partial<TrackerOptions>, notes };
}
