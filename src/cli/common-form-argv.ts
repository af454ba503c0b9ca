// The command line of a tracked run in its common form, read without commander: the tracker's
// options as OPTION_SCHEMA spells them for the CLI (dashes or the original's underscores,
// `--name value` or `--name=value`), `--no-live`, an optional `--`, then the command.
//
// Why: loading commander, building its program (thirty options, their flags parsed by regular
// expressions V8 compiles afresh in every process) and parsing with it cost a `carbontracker true`
// run 8 M of its 156 M instructions (callgrind, medians of 11: 156.1 M with, 148.2 M without;
// bare Node's run is 104 M, and issue 16's CPU target 1.5x). Commander stays the reference, loaded
// (program.ts) for anything else: help, --version, --parse and the report options, an unknown
// option, a flag given a value, a value its parser refuses, a missing value, no command. Its
// messages are the ones users see, and a property test holds this reader's answers to its parse.
import { CLI_TRACKER_OPTIONS, valueParserOf } from "./tracker-flags.js";
import { InvalidValueError } from "./values.js";

/** A long option this reader knows, by its dashed name without `--`. */
interface CommonFlag {
  /** Where commander puts it (its camelCase attribute). */
  attribute: string;
  takesValue: boolean;
  /** A `--no-x` flag: x defaults to true, and the flag sets it false. */
  negated: boolean;
  parse?: (raw: string) => unknown;
}

/** The CLI's own flags a run's command line may hold in its common form. */
const RUN_FLAGS: [string, CommonFlag][] = [
  ["no-live", { attribute: "live", takesValue: false, negated: true }],
];

/** What commander's opts() hold before any flag: the defaults of the CLI's own options. */
const CLI_DEFAULTS = { live: true, json: false, csv: false, statement: false };

let known: Map<string, CommonFlag> | undefined;

function commonFlags(): Map<string, CommonFlag> {
  if (known) return known;
  known = new Map(RUN_FLAGS);
  for (const [name, spec] of CLI_TRACKER_OPTIONS) {
    const [flag = "", valueName] = (spec.cli as string).split(" ");
    const long = flag.slice(2);
    known.set(long, {
      attribute: name,
      takesValue: valueName !== undefined,
      negated: long.startsWith("no-"),
      parse: valueParserOf(name, spec),
    });
  }
  return known;
}

/** The options before any flag, as commander's opts() hold them then. */
export function commonDefaults(): Record<string, unknown> {
  const options: Record<string, unknown> = { ...CLI_DEFAULTS };
  for (const flag of commonFlags().values()) if (flag.negated) options[flag.attribute] = true;
  return options;
}

/**
 * The parsed command line when it has the common form of a tracked run (see the top of this
 * file), else undefined: commander then parses it.
 */
export function parseCommonForm(
  argv: readonly string[],
): { options: Record<string, unknown>; command: string[] } | undefined {
  const flags = commonFlags();
  const options = commonDefaults();
  let at = 0;
  while (at < argv.length) {
    const token = argv[at] as string;
    if (token === "--") {
      at += 1;
      break;
    }
    if (!token.startsWith("-")) break;
    if (!token.startsWith("--")) return undefined;
    const equals = token.indexOf("=");
    const long = (equals < 0 ? token.slice(2) : token.slice(2, equals)).replaceAll("_", "-");
    const flag = flags.get(long);
    if (!flag) return undefined;
    if (!flag.takesValue) {
      if (equals >= 0) return undefined;
      options[flag.attribute] = !flag.negated;
      at += 1;
      continue;
    }
    // Commander takes the next word as the value whatever it is, as this does.
    const raw = equals < 0 ? argv[at + 1] : token.slice(equals + 1);
    if (raw === undefined) return undefined;
    try {
      options[flag.attribute] = flag.parse ? flag.parse(raw) : raw;
    } catch (error) {
      // Commander says what is wrong with the value.
      if (error instanceof InvalidValueError) return undefined;
      throw error;
    }
    at += equals < 0 ? 2 : 1;
  }
  const command = argv.slice(at);
  if (command.length === 0) return undefined;
  return { options, command };
}
