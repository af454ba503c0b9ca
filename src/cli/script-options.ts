// The options of a wrapped program's own `CarbonTracker(...)` (the Python bindings under the CLI)
// against the command line's: a flag given on the command line wins, with a note; the script's
// values win over the CLI's defaults. So `carbontracker python train.py` takes the epochs,
// prediction and log folder from the script, and `--log_dir` still overrides them.
import { parseArguments, type CliOptions } from "./program.js";

/** The tracker options a script may set; the same camelCase names as the CLI's options. */
const SCRIPT_KEYS = [
  "epochs",
  "epochsBeforePred",
  "monitorEpochs",
  "updateInterval",
  "interpretable",
  "stopAndConfirm",
  "ignoreErrors",
  "components",
  "devicesByPid",
  "logDir",
  "logFilePrefix",
  "verbose",
  "decimalPrecision",
  "apiKeys",
  "simCpu",
  "simCpuTdp",
  "simCpuUtil",
  "simGpu",
  "simGpuWatts",
  "simGpuUtil",
  "pue",
  "country",
  "zone",
  "cpuTdp",
] as const satisfies readonly (keyof CliOptions)[];

type ScriptKey = (typeof SCRIPT_KEYS)[number];

const flag = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
const keyword = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The CLI's options when no flag is given. */
function cliDefaults(): CliOptions {
  return parseArguments([], { out: () => {}, err: () => {} }).options;
}

/** What the merge gives: the options to build the tracker from, and lines for the user. */
export interface MergedOptions {
  options: CliOptions;
  notes: string[];
}

/**
 * Merges a script's tracker options into the command line's. Keys the script may not set are
 * reported in a note and left out. Values are not echoed (one may be an API key).
 */
export function mergeScriptOptions(cli: CliOptions, script: Record<string, unknown>): MergedOptions {
  const defaults = cliDefaults();
  const merged: Record<string, unknown> = { ...cli };
  const notes: string[] = [];
  for (const [key, value] of Object.entries(script)) {
    if (!(SCRIPT_KEYS as readonly string[]).includes(key)) {
      notes.push(`carbontracker: the script's option ${key} is not known here and is ignored.`);
      continue;
    }
    if (value === undefined || value === null) continue;
    const k = key as ScriptKey;
    const explicit = JSON.stringify(cli[k]) !== JSON.stringify(defaults[k]);
    if (!explicit) merged[k] = value;
    else if (JSON.stringify(cli[k]) !== JSON.stringify(value)) {
      notes.push(`carbontracker: ${flag(k)} on the command line wins over the script's ${keyword(k)}.`);
    }
  }
  return { options: merged as unknown as CliOptions, notes };
}
