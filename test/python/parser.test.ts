// `from carbontracker import parser` against the original's own results (generated/*/expected.json):
// run as the corpus was made (on "./logs" in a copy of each folder), the shapes and figures are
// the original's except where we fix its bugs (listed in parser.py's docstring), and the figures
// are always our TypeScript parser's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { aggregateConsumption } from "../../src/logs/parser/index.js";
import { GENERATED } from "../logs/parser/helpers.js";
import { FIXTURES, pythonFor, runPython } from "./python-kit.js";
import { CORPUS_FOLDERS, expectedOf, runOnCorpus, zeroed, type Consumption, type Entry } from "./corpus.js";

interface Result {
  root: string;
  parse_all_logs: Entry[] | { error: string; message: string };
  aggregate_consumption: [number, number, Record<string, number>];
  print_aggregate: string;
}

/** Folders whose aggregate the original gets wrong, and which of our fixes applies. */
const AGGREGATE_FIXED: Record<string, string> = {
  "run-01-api-e3-p1-m-1-stop": "actual epochs read from the block",
  "run-05-api-e1-p0-m-1-nostop": "a log without blocks counts its logged epochs",
  "run-08-sim-e4-p2-m-1-verbose2-stop": "actual epochs read from the block",
  "run-25-rapl-dram-prec6-geoDK": "actual epochs read from the block",
  "run-29-short-epochs-rapl": "the actual, not a 0 kWh prediction",
  "run-30-short-epochs-sim-nointerp": "interpretable=False blocks are read",
  "run-32-sigkill-mid-e2": "a killed run counts its logged epochs",
  "run-34-sigterm-mid-e2": "a killed run counts its logged epochs",
  "multi-01-three-runs-2.3": "actual epochs read from the block",
  "multi-02-four-runs-killed-orphan-2.4.3": "killed run, orphan standard log",
  "multi-05-mixed-versions": "actual epochs read from the block",
};

const folders = CORPUS_FOLDERS;

/** The epoch count of the output log's actual block (null for the CLI's form without one). */
function actualLabel(outputFile: string): number | null {
  const m = /Actual consumption(?: for (\d+) epoch\(s\))?:/.exec(readFileSync(outputFile, "utf8"));
  return m?.[1] ? Number(m[1]) : null;
}

test("parse_all_logs, aggregate_consumption and print_aggregate on every folder of the original's corpus", async (t) => {
  const results = await runOnCorpus<Result>(t, join(FIXTURES, "parse_corpus.py"), []);
  if (!results) return;
  for (const [i, folder] of folders.entries()) {
    const result = results[i] as Result;
    const expected = expectedOf(folder);
    const ours = result.parse_all_logs;
    assert.ok(Array.isArray(ours), `${folder}: ${JSON.stringify(ours)}`);
    const theirs = expected.parse_all_logs;
    if (!Array.isArray(theirs)) {
      // run-23: the original raises KeyError on a device name with a '.'; ours reads it whole.
      assert.equal(theirs.error, "KeyError", folder);
      assert.deepEqual(ours[0]?.components.gpu?.devices, ["NVIDIA GeForce RTX 3090 (rev. a1)"]);
    } else {
      assert.equal(ours.length, theirs.length + (folder.startsWith("multi-02") ? 1 : 0), folder);
      for (const entry of theirs) {
        const mine: Entry | undefined = ours.find((e) => e.standard_filename === entry.standard_filename);
        assert.ok(mine, `${folder}: ${entry.standard_filename}`);
        assert.equal(mine.output_filename, entry.output_filename);
        assert.equal(mine.early_stop, entry.early_stop);
        if (folder.startsWith("run-30-")) {
          // interpretable=False: the original finds neither block, ours both.
          assert.equal(entry.actual, null);
          assert.equal(mine.actual?.equivalents, null);
          assert.equal(mine.pred?.epochs, 6);
        } else {
          assert.deepEqual(mine.pred, entry.pred, folder);
          const label = entry.actual ? actualLabel(join(result.root, entry.output_filename as string)) : null;
          assert.deepEqual(mine.actual, entry.actual && { ...entry.actual, epochs: label }, folder);
        }
        assert.deepEqual(Object.keys(mine.components).sort(), Object.keys(entry.components).sort());
        for (const [name, component] of Object.entries(entry.components)) {
          const my = mine.components[name] as Record<string, unknown[] | null>;
          assert.deepEqual(
            my.devices,
            (component.devices as string[]).map((d) => d.trim()),
          );
          assert.deepEqual(my["epoch_durations (s)"], component["epoch_durations (s)"]);
          assert.deepEqual(zeroed(my["avg_power_usages (W)"]), component["avg_power_usages (W)"]);
          assert.deepEqual(zeroed(my["avg_energy_usages (J)"]), component["avg_energy_usages (J)"]);
        }
      }
    }
    const [energyKwh, co2eqG, equivalents] = result.aggregate_consumption;
    const typescript = await aggregateConsumption(join(result.root, "logs"), { onIssue: () => {} });
    assert.deepEqual(
      { energyKwh, co2eqG, equivalents },
      { energyKwh: typescript.energyKwh, co2eqG: typescript.co2eqG, equivalents: typescript.equivalents },
      `${folder}: both languages agree`,
    );
    if (AGGREGATE_FIXED[folder]) {
      assert.notEqual(
        energyKwh,
        expected.aggregate_consumption.energy_kwh,
        `${folder}: ${AGGREGATE_FIXED[folder]}`,
      );
    } else {
      assert.deepEqual(
        { energy_kwh: energyKwh, co2eq_g: co2eqG, equivalents },
        expected.aggregate_consumption,
        folder,
      );
      assert.equal(result.print_aggregate, `${expected.print_aggregate}\n`, folder);
    }
  }
});

test("parse_logs gives one run's components: the named standard log, else the most recent; a missing folder raises FileNotFoundError", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const folder = join(GENERATED, "run-25-rapl-dram-prec6-geoDK");
  const std = readdirSync(folder).find((n) => n.endsWith("_carbontracker.log")) as string;
  const script = [
    "import json, sys",
    "from carbontracker import parser",
    "named = parser.parse_logs(sys.argv[1], sys.argv[2])",
    "recent = parser.parse_logs(sys.argv[1])",
    "try:",
    "    parser.parse_all_logs(sys.argv[1] + '/missing')",
    "except FileNotFoundError as error:",
    "    missing = type(error).__name__",
    "print(json.dumps([named, recent, missing]))",
  ].join("\n");
  const run = await runPython(python, ["-c", script, folder, join(folder, std)]);
  assert.equal(run.code, 0, run.stderr);
  const [named, recent, missing] = JSON.parse(run.stdout) as [
    Entry["components"],
    Entry["components"],
    string,
  ];
  assert.deepEqual(named, recent);
  assert.deepEqual(named.cpu?.devices, ["dram:0", "cpu:0"]);
  assert.deepEqual(named.cpu?.["epoch_durations (s)"], [2.3, 2.3]);
  assert.equal(missing, "FileNotFoundError");
});

test("get_consumption(output_log_data) gives (actual, pred) of an output log's text, as parse_all_logs reads them", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const folder = join(GENERATED, "run-08-sim-e4-p2-m-1-verbose2-stop");
  const output = readdirSync(folder).find((n) => n.endsWith("_carbontracker_output.log")) as string;
  const script = [
    "import json, sys",
    "from carbontracker import parser",
    "with open(sys.argv[2]) as f:",
    "    found = parser.get_consumption(f.read())",
    "entry = parser.parse_all_logs(sys.argv[1])[0]",
    "print(json.dumps([type(found).__name__, found, [entry['actual'], entry['pred']], parser.get_consumption('')]))",
  ].join("\n");
  const run = await runPython(python, ["-c", script, folder, join(folder, output)]);
  assert.equal(run.code, 0, run.stderr);
  const [type, found, fromFolder, empty] = JSON.parse(run.stdout) as [
    string,
    [Consumption | null, Consumption | null],
    [Consumption | null, Consumption | null],
    [null, null],
  ];
  assert.equal(type, "tuple");
  assert.deepEqual(found, fromFolder);
  assert.equal(found[1]?.epochs, 4);
  assert.deepEqual(Object.keys(found[0] ?? {}), [
    "epochs",
    "duration (s)",
    "energy (kWh)",
    "co2eq (g)",
    "equivalents",
  ]);
  assert.deepEqual(empty, [null, null]);
});
