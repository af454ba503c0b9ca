// `carbontracker engine consumption|standard|time|equivalents`: the original's parser helpers
// that read a text (given on stdin), answered by our parser as one JSON document on stdout, so
// the Python bindings' `get_consumption`, `get_devices`, `get_epoch_durations`,
// `get_avg_power_usages`, `get_early_stop`, `get_time` and `parse_equivalents` read as `--parse` does.
import { consumptionOf, equivalentOf, scanConsumptionBlocks } from "../logs/parser/consumption-blocks.js";
import { parseStandardLog } from "../logs/parser/standard-log.js";
import { parseDuration, splitLines } from "../logs/parser/text-lines.js";
import { originalConsumptionPair } from "../reports/python-shape.js";

/** The commands, each from the text to its document. */
const TEXT_COMMANDS: Record<string, (text: string) => unknown> = {
  /** The first actual and predicted blocks of an output log (the original's `get_consumption`). */
  consumption: (text) => {
    const { blocks } = scanConsumptionBlocks(splitLines(text));
    const actual = consumptionOf(blocks.find((b) => b.kind === "actual"));
    const pred = consumptionOf(blocks.find((b) => b.kind === "predicted"));
    return originalConsumptionPair(actual, pred);
  },
  /** A standard log's devices, epoch durations (s), power values (W, null for None) and early stop. */
  standard: (text) => {
    const log = parseStandardLog(splitLines(text));
    return {
      devices: log.devices,
      epoch_durations: log.durations,
      avg_power_usages: log.powers,
      early_stop: log.earlyStop,
    };
  },
  /** Seconds of the first `h:mm:ss[.ff]` in the text, or null. */
  time: (text) => ({ seconds: parseDuration(text) }),
  /** The "This is equivalent to" lines, unit to value (unreadable lines left out). */
  equivalents: (text) => {
    const equivalents: Record<string, number | null> = {};
    for (const line of splitLines(text)) {
      const found = equivalentOf(line);
      if (found) equivalents[found.unit] = found.value;
    }
    return { equivalents };
  },
};

/** Whether `name` is one of these commands. */
export function isTextCommand(name: string | undefined): name is string {
  return name !== undefined && Object.hasOwn(TEXT_COMMANDS, name);
}

/** Reads `input` to its end and writes the command's document. */
export async function runTextCommand(
  name: string,
  input: NodeJS.ReadableStream,
  stdout: (text: string) => void,
): Promise<number> {
  let text = "";
  input.setEncoding("utf8");
  for await (const chunk of input) text += chunk as string;
  stdout(`${JSON.stringify((TEXT_COMMANDS[name] as (text: string) => unknown)(text))}\n`);
  return 0;
}
