// A program's own `CarbonTracker(...)` options (the Python bindings' IPC `configure`) carry the
// original's values, and a few of them ask for output the tracker's options cannot say. The
// original (2.4.3, tracker.py) predicts when the epoch count equals epochs_before_pred
// (`epoch_end`), so -1 never predicts (its docstring says "Set to -1 for all epochs"): that is
// our 0. It titles its actual block "Actual consumption:", without the epoch count, whenever
// epochs_before_pred is 0 (`_output_actual`), and keeps the count for -1. Its log file names
// begin with f"{log_prefix}{pid}" after `if log_prefix: log_prefix += "_"` (loggerutil.py), so
// log_file_prefix=None (null here) writes "None" right before the pid. With api_keys=None (the
// default) its constructor warns "No API keys provided. ..." (tracker.py, `_get_fetcher`, through
// `logger.err_warn`: on stdout and in the err log) before anything else the run says but the first
// line its monitoring thread, started just before, prints (a simulated device's); its err
// logger's console handler has no verbose filter (loggerutil.py, `Logger._setup`), so warnings
// show at verbose=0 too, as do the simulated devices' print() lines.
import type { Notice } from "../tracker/events.js";
import type { TrackerOptions } from "../tracker/options.js";

/** The original's warning when a tracker is built with api_keys=None (tracker.py, `_get_fetcher`). */
const NO_API_KEYS = "No API keys provided. Skipping intensity provider initialization.";

/** What a tracker built from a program's options writes as the original does. */
export interface OriginalStyle {
  /** Title the actual block "Actual consumption:" (the original's, for epochs_before_pred=0). */
  actualWithoutEpochCount?: boolean;
  /** The text before the pid in the log file names ("None" for log_file_prefix=None). */
  fileNamePrefix?: string;
  /** The program passed no API keys: say so first, as the original does. */
  noApiKeys?: boolean;
  /** Warnings and bare device lines show at verbose=0 too. */
  warnAtVerboseZero?: boolean;
}

/** A program's options split into tracker options and the style they ask for. */
export interface ProgramOptions {
  options: Record<string, unknown>;
  style: OriginalStyle;
}

/** Reads a program's `configure` options (camelCase names, the original's values). */
export function programOptions(script: Record<string, unknown>): ProgramOptions {
  const style: OriginalStyle = { warnAtVerboseZero: true };
  if (script.apiKeys === undefined || script.apiKeys === null) style.noApiKeys = true;
  if (script.epochsBeforePred === 0) style.actualWithoutEpochCount = true;
  const options: Record<string, unknown> = { ...script };
  if (script.epochsBeforePred === -1) options.epochsBeforePred = 0;
  if (script.logFilePrefix === null) {
    style.fileNamePrefix = "None";
    delete options.logFilePrefix;
  }
  return { options, style };
}

/**
 * The style of the CLI's own tracker. The original's CLI (cli.py) builds
 * `CarbonTracker(epochs=1, epochs_before_pred=0, api_keys=<--api_keys, else None>)`: its actual
 * block is titled "Actual consumption:" and it warns "No API keys provided" first. Ours does the
 * same unless its options ask otherwise (--epochs predicts after the first epoch; --api_keys).
 */
export function cliStyle(
  options: Partial<Pick<TrackerOptions, "epochsBeforePred" | "apiKeys">>,
): OriginalStyle {
  const style: OriginalStyle = {};
  if (options.epochsBeforePred === 0) style.actualWithoutEpochCount = true;
  // As the original's `if api_keys is None` (`--api_keys '{}'` is {} there, and warns nothing).
  if (options.apiKeys === undefined) style.noApiKeys = true;
  return style;
}

/** The part of `style` the final options still ask for (a command-line flag may have won). */
export function styleFor(
  style: OriginalStyle,
  final: Pick<TrackerOptions, "epochsBeforePred" | "logFilePrefix">,
): OriginalStyle {
  const kept: OriginalStyle = {};
  if (style.actualWithoutEpochCount && final.epochsBeforePred === 0) kept.actualWithoutEpochCount = true;
  if (style.fileNamePrefix !== undefined && !final.logFilePrefix) kept.fileNamePrefix = style.fileNamePrefix;
  return kept;
}

/**
 * The notices a tracker of `style` writes first: the original's "No API keys provided" when the
 * program gave none and none come from ELECTRICITYMAPS_API_KEY either (with a key there, we do
 * use a provider, so the warning would be untrue).
 */
export function startNotices(style: OriginalStyle | undefined, env: NodeJS.ProcessEnv): Notice[] {
  if (!style?.noApiKeys || env.ELECTRICITYMAPS_API_KEY) return [];
  return [{ level: "warning", text: NO_API_KEYS }];
}
