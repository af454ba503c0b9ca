// The original parser's helpers (get_all_logs, get_most_recent_logs, get_devices,
// get_epoch_durations, get_avg_power_usages, get_early_stop, get_time, parse_equivalents,
// get_stats, extract_measurements) against what the original gave for its own corpus
// (generated/*/expected.json: parse_all_logs is built from them), run as it was made, on
// "./logs" in a copy of each folder. The figures are our TypeScript parser's, the fixes of
// parser.py's docstring kept (device names trimmed, None powers None).
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, readdirSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { GENERATED } from "../logs/parser/helpers.js";
import { FIXTURES, pythonFor, runPython, tempFolder } from "./python-kit.js";
import { CORPUS_FOLDERS, expectedOf, runOnCorpus, zeroed, type Entry } from "./corpus.js";

const HELPERS = join(FIXTURES, "parser_helpers.py");

interface Standard {
  devices: Record<string, string[]>;
  durations: number[];
  powers: Record<string, (number | null)[][]>;
  early_stop: boolean;
}
interface Output {
  time: number | null;
  equivalents: Record<string, number> | null;
  pred: Record<string, unknown> | null;
}
interface Result {
  root: string;
  get_all_logs: [string[], string[]];
  standard?: Record<string, Standard>;
  output?: Record<string, Output>;
}

/** Runs parser_helpers.py in `mode` on copies of `folders`; one result per folder. */
function helpersOn(t: TestContext, mode: "logs" | "texts", folders: string[]) {
  return runOnCorpus<Result>(t, HELPERS, [mode], folders);
}

/** The original's entries of a folder: its parse_all_logs, or (run-23, where it raised) its one run's files. */
function entriesOf(folder: string): Entry[] | undefined {
  const theirs = expectedOf(folder).parse_all_logs;
  return Array.isArray(theirs) ? theirs : undefined;
}

test("get_all_logs, get_devices, get_epoch_durations, get_avg_power_usages and get_early_stop on every folder of the original's corpus", async (t) => {
  const results = await helpersOn(t, "logs", CORPUS_FOLDERS);
  if (!results) return;
  for (const [i, folder] of CORPUS_FOLDERS.entries()) {
    const result = results[i] as Result;
    const [outputs, stds] = result.get_all_logs;
    const theirs = entriesOf(folder);
    if (!theirs) {
      // run-23: the original's parse_logs raised KeyError (a '.' in a device name); its
      // get_all_logs lists the one run, and ours reads the name whole.
      const names = readdirSync(join(GENERATED, folder));
      const named = (suffix: string) => names.filter((n) => n.endsWith(suffix)).map((n) => `./logs/${n}`);
      assert.deepEqual([outputs, stds], [named("_carbontracker_output.log"), named("_carbontracker.log")]);
      const std = result.standard?.[stds[0] as string];
      assert.deepEqual(std?.devices.gpu, ["NVIDIA GeForce RTX 3090 (rev. a1)"]);
      continue;
    }
    // The original's pairs, in its order (multi-02's orphan standard log left out, as it does).
    assert.deepEqual(
      outputs,
      theirs.map((e) => e.output_filename),
      folder,
    );
    assert.deepEqual(
      stds,
      theirs.map((e) => e.standard_filename),
      folder,
    );
    for (const entry of theirs) {
      const mine = result.standard?.[entry.standard_filename as string] as Standard;
      assert.ok(mine, `${folder}: ${entry.standard_filename}`);
      assert.equal(mine.early_stop, entry.early_stop, folder);
      assert.deepEqual(Object.keys(mine.devices).sort(), Object.keys(entry.components).sort(), folder);
      for (const [name, component] of Object.entries(entry.components)) {
        assert.deepEqual(
          mine.devices[name],
          (component.devices as string[]).map((d) => d.trim()),
          folder,
        );
        assert.deepEqual(mine.durations, component["epoch_durations (s)"] ?? [], folder);
        assert.deepEqual(
          zeroed(mine.powers[name]) ?? null,
          component["avg_power_usages (W)"],
          `${folder} ${name}`,
        );
      }
    }
  }
});

/** Folders whose output logs hold every block form: equivalents, none, a prediction, none, 2.3's. */
const TEXT_FOLDERS = [
  "run-01-api-e3-p1-m-1-stop",
  "run-04-api-e1-p0-m-1-defaults",
  "run-22-simcpu-simgpu-prec3",
  "run-30-short-epochs-sim-nointerp",
  "multi-01-three-runs-2.3",
];

test("get_time, parse_equivalents, get_stats and extract_measurements read the blocks of output logs as the original's get_consumption did", async (t) => {
  const results = await helpersOn(t, "texts", TEXT_FOLDERS);
  if (!results) return;
  let checked = 0;
  for (const [i, folder] of TEXT_FOLDERS.entries()) {
    for (const entry of entriesOf(folder) ?? []) {
      const mine = (results[i] as Result).output?.[entry.output_filename as string] as Output;
      assert.ok(mine, `${folder}: ${entry.output_filename}`);
      if (entry.actual) {
        assert.equal(mine.time, entry.actual["duration (s)"], folder);
        assert.deepEqual(mine.equivalents, entry.actual.equivalents, folder);
        checked++;
      }
      // The prediction, read from our expression's match (interpretable=False blocks too, which
      // the original's expressions miss: run-30).
      if (entry.pred) assert.deepEqual(mine.pred, entry.pred, folder);
      else if (!folder.startsWith("run-30-")) assert.equal(mine.pred, null, folder);
      else assert.equal(mine.pred?.equivalents, null, folder);
    }
  }
  assert.ok(checked >= TEXT_FOLDERS.length - 1, `${checked} actual blocks checked`);
});

test("get_most_recent_logs gives the standard log modified last with its own output log; none raises IndexError", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const logDir = join(tempFolder(t), "logs");
  mkdirSync(logDir);
  const runs = ["run-01-api-e3-p1-m-1-stop", "run-04-api-e1-p0-m-1-defaults"];
  for (const folder of runs) {
    for (const name of readdirSync(join(GENERATED, folder)).filter((n) => n.includes("_carbontracker"))) {
      cpSync(join(GENERATED, folder, name), join(logDir, name));
    }
  }
  const script = [
    "import json, sys",
    "from carbontracker import parser",
    "try:",
    "    parser.get_most_recent_logs(sys.argv[2])",
    "except IndexError as error:",
    "    empty = type(error).__name__",
    "print(json.dumps([parser.get_most_recent_logs(sys.argv[1]), empty]))",
  ].join("\n");
  const empty = tempFolder(t);
  const names = readdirSync(logDir);
  const runOf = (folder: string, suffix: string) =>
    join(logDir, readdirSync(join(GENERATED, folder)).find((n) => n.endsWith(suffix)) as string);
  for (const [newer, older] of [runs, [...runs].reverse()] as [string, string][]) {
    // Every file of the older run an hour back, the newer's standard log newest of all.
    for (const name of names) utimesSync(join(logDir, name), new Date(), new Date(Date.now() - 3_600_000));
    utimesSync(runOf(older, "_carbontracker_output.log"), new Date(), new Date());
    utimesSync(runOf(newer, "_carbontracker.log"), new Date(), new Date(Date.now() + 60_000));
    const run = await runPython(python, ["-c", script, logDir, empty]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), [
      [runOf(newer, "_carbontracker.log"), runOf(newer, "_carbontracker_output.log")],
      "IndexError",
    ]);
  }
});
