// The CLI reads a tracked run's common command line without commander (common-form-argv.ts);
// commander is the reference. Over generated command lines (the tracker's flags in both
// spellings, with good and bad values, the CLI's other options, unknown ones, `--`, commands),
// whatever the quick reader answers is what commander parses, and the common forms are all its.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { commonDefaults, parseCommonForm } from "../../src/cli/common-form-argv.js";
import { parseWithCommander } from "../../src/cli/program.js";
import { CLI_TRACKER_OPTIONS } from "../../src/cli/tracker-flags.js";

const silent = { out: () => {}, err: () => {} };

/** Commander's parse, or "error" where it refuses (or shows help or the version). */
function commanderParse(argv: string[]): unknown {
  try {
    return parseWithCommander(argv, silent);
  } catch {
    return "error";
  }
}

interface Flag {
  long: string;
  takesValue: boolean;
  good: string[];
}

/** The tracker's flags and --no-live, each with values commander takes. */
const FLAGS: Flag[] = [
  ...CLI_TRACKER_OPTIONS.map(([name, spec]): Flag => {
    const [flag = "", valueName] = (spec.cli as string).split(" ");
    let good = ["x", "cpu", "./logs", "DK-DK1"];
    if (name === "apiKeys") good = ['{"electricitymaps": "KEY"}', "{}"];
    else if (spec.range) {
      const { min, max, integer } = spec.range;
      good = [
        String(min),
        String(max ?? min + 2),
        String(min + (integer ? 1 : 0.5) * (max === undefined ? 1 : 0)),
      ];
    }
    return { long: flag.slice(2), takesValue: valueName !== undefined, good };
  }),
  { long: "no-live", takesValue: false, good: [] },
];

/** Values some flag refuses, or that look like options. */
const BAD_VALUES = [" 5", "0x10", "", "-1", "abc", "1e400", "{", "[]", '{"a": 1}', "--", "--epochs", "-h"];
/** Words that are not the tracker's flags: the CLI's other options, unknown ones, and others. */
const OTHER_WORDS = [
  "--help",
  "-h",
  "-V",
  "--version",
  "--parse",
  "--json",
  "--csv",
  "--statement",
  "--by",
  "job",
  "--report",
  "--output",
  "--live",
  "--interpretable",
  "--unknown",
  "--log",
  "-x",
  "-",
  "--",
  "--=x",
  "",
];
const COMMAND_WORDS = ["true", "python", "train.py", "--epochs", "3", "--", "-h", "--log_dir"];

const spelled = (long: string) => fc.constantFrom(`--${long}`, `--${long.replaceAll("-", "_")}`);

/** A flag as users write it, with a good value. */
const goodPiece = fc
  .constantFrom(...FLAGS)
  .chain((flag) =>
    flag.takesValue
      ? fc
          .tuple(spelled(flag.long), fc.constantFrom(...flag.good), fc.boolean())
          .map(([name, value, joined]) => (joined ? [`${name}=${value}`] : [name, value]))
      : spelled(flag.long).map((name) => [name]),
  );

/** Anything: a good piece, a flag with a bad value or a value it does not take, another word. */
const anyPiece = fc.oneof(
  goodPiece,
  fc
    .tuple(fc.constantFrom(...FLAGS), fc.constantFrom(...BAD_VALUES), fc.boolean())
    .chain(([flag, value, joined]) =>
      spelled(flag.long).map((name) => (joined ? [`${name}=${value}`] : [name, value])),
    ),
  fc.constantFrom(...OTHER_WORDS).map((word) => [word]),
);

const command = fc.array(fc.constantFrom(...COMMAND_WORDS), { maxLength: 4 });

test("whatever the quick reader answers is commander's parse of the same command line", () => {
  let answered = 0;
  fc.assert(
    fc.property(fc.array(anyPiece, { maxLength: 6 }), fc.boolean(), command, (pieces, dashes, words) => {
      const argv = [...pieces.flat(), ...(dashes ? ["--"] : []), ...words];
      const quick = parseCommonForm(argv);
      if (quick === undefined) return;
      answered += 1;
      assert.deepEqual(quick, commanderParse(argv), JSON.stringify(argv));
    }),
    { numRuns: 3000 },
  );
  // The property must not hold only because the quick reader declined everything.
  assert.ok(answered > 300, `the quick reader answered ${answered} of 3000`);
});

test("every common form of a tracked run is read without commander, as commander reads it", () => {
  fc.assert(
    fc.property(
      fc.array(goodPiece, { maxLength: 6 }),
      fc.boolean(),
      fc.constantFrom("true", "python", "-x", "--"),
      command,
      (pieces, dashes, first, rest) => {
        // A command starting with a dash needs `--` before it; so does one named `--`.
        const argv = [...pieces.flat(), ...(dashes || first.startsWith("-") ? ["--"] : []), first, ...rest];
        const quick = parseCommonForm(argv);
        assert.ok(quick, `not read quickly: ${JSON.stringify(argv)}`);
        assert.deepEqual(quick, commanderParse(argv), JSON.stringify(argv));
      },
    ),
    { numRuns: 1000 },
  );
});

test("a run's usual command lines: the options and the command are commander's", () => {
  const cases: [string[], Record<string, unknown>, string[]][] = [
    [["python", "train.py", "--epochs", "3"], {}, ["python", "train.py", "--epochs", "3"]],
    [
      ["--log_dir", "runs", "--epochs=5", "python", "t.py"],
      { logDir: "runs", epochs: 5 },
      ["python", "t.py"],
    ],
    [["--no-interpretable", "--no-live", "--", "-x"], { interpretable: false, live: false }, ["-x"]],
    [
      ["--api_keys", '{"electricitymaps": "K"}', "sleep", "1"],
      { apiKeys: { electricitymaps: "K" } },
      ["sleep", "1"],
    ],
  ];
  for (const [argv, set, expectedCommand] of cases) {
    const quick = parseCommonForm(argv);
    assert.ok(quick, `read quickly: ${argv.join(" ")}`);
    assert.deepEqual(quick, parseWithCommander(argv, silent));
    const { options, command: wrapped } = quick;
    assert.deepEqual(wrapped, expectedCommand);
    assert.deepEqual(options, {
      interpretable: true,
      live: true,
      json: false,
      csv: false,
      statement: false,
      ...set,
    });
  }
});

test("the options before any flag are commander's (a script's options are merged over them)", () => {
  assert.deepEqual(commonDefaults(), parseWithCommander([], silent).options);
});

test("commander, given the values' parsers, names the option and what it takes", () => {
  assert.equal(parseCommonForm(["--epochs", "0", "true"]), undefined);
  assert.throws(
    () => parseWithCommander(["--epochs", "0", "true"], silent),
    /option '--epochs <n>' argument '0' is invalid\. expected an integer >= 1, got '0'\./,
  );
  assert.throws(
    () => parseWithCommander(["--api_keys", "[]", "true"], silent),
    /argument '\[\]' is invalid\. expected a JSON object such as/,
  );
});
