// The one definition of the options agrees with everything that shows or takes them: the
// README's table, the CLI's flags and help, and the library's defaults.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { optionsTable } from "../../scripts/options-table.js";
import { buildProgram, parseWithCommander } from "../../src/cli/program.js";
import { parseCommonForm } from "../../src/cli/common-form-argv.js";
import { CLI_TRACKER_OPTIONS, trackerOptionsFromFlags } from "../../src/cli/tracker-flags.js";
import { OPTION_SCHEMA, type OptionSpec } from "../../src/tracker/option-schema.js";
import { resolveOptions } from "../../src/tracker/options.js";

const silent = { out: () => {}, err: () => {} };

test("the README's options table is the one made from the schema", () => {
  const readme = readFileSync("README.md", "utf8");
  assert.ok(
    readme.includes(optionsTable()),
    "README table differs: run `node --import tsx scripts/options-table.ts`",
  );
});

test("every option with a CLI flag is in --help with its help line", () => {
  const help = buildProgram().helpInformation().replace(/\s+/g, " ");
  for (const [, spec] of CLI_TRACKER_OPTIONS) {
    assert.ok(help.includes(spec.cli as string), `${spec.cli} in --help`);
    assert.ok(help.includes(spec.doc.replace(/\s+/g, " ")), `${spec.cli}'s help line`);
  }
});

test("each numeric flag reaches the library option of the same name", () => {
  for (const [name, spec] of CLI_TRACKER_OPTIONS) {
    if (!spec.range) continue;
    const value = spec.range.max ?? spec.range.min + 1;
    const flag = (spec.cli as string).split(" ")[0] as string;
    const argv = [flag, String(value), "true"];
    const { options } = parseWithCommander(argv, silent);
    assert.equal(trackerOptionsFromFlags(options, {})[name], value, flag);
    const quick = parseCommonForm(argv)?.options as Partial<typeof options>;
    assert.equal(trackerOptionsFromFlags(quick, {})[name], value, `${flag}, read without commander`);
  }
});

test("the library's defaults are the schema's", () => {
  const resolved = resolveOptions({ epochs: 4 }) as unknown as Record<string, unknown>;
  for (const [name, spec] of Object.entries(OPTION_SCHEMA) as [string, OptionSpec<unknown>][]) {
    if (spec.default === undefined || name === "console") continue;
    const expected = name === "monitorEpochs" ? 4 : name === "components" ? ["gpu", "cpu"] : spec.default;
    assert.deepEqual(resolved[name], expected, name);
  }
});

test("every option of the original has its Python keyword; ours are marked", () => {
  const original = Object.values(OPTION_SCHEMA).flatMap((s: OptionSpec<unknown>) =>
    s.original ? [s.original] : [],
  );
  assert.deepEqual(original, [
    "epochs",
    "epochs_before_pred",
    "monitor_epochs",
    "update_interval",
    "interpretable",
    "stop_and_confirm",
    "ignore_errors",
    "components",
    "devices_by_pid",
    "log_dir",
    "log_file_prefix",
    "verbose",
    "decimal_precision",
    "api_keys",
    "sim_cpu",
    "sim_cpu_tdp",
    "sim_cpu_util",
    "sim_gpu",
    "sim_gpu_watts",
    "sim_gpu_util",
  ]);
});
