// Several CarbonTracker objects of one Python process before carbontracker #73 shared their
// loggers: the first tracker's files hold every later tracker's lines too (fixtures and how they
// were derived: test/logs/fixtures/shared-logger/README.md). Each tracker is one run, its epochs
// and consumption its own, whether or not the later trackers' own files are read too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  aggregateConsumption,
  parseAllLogs,
  parseConsoleCapture,
  parseLogs,
  readLogs,
} from "../../../src/logs/parser/index.js";
import { runParseCommand } from "../../../src/reports/parse-command.js";
import type { RunRecord } from "../../../src/reports/run-table.js";
import { issueCollector, tempFolder } from "./helpers.js";

const SHARED = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/shared-logger");
const NOTEBOOK = join(SHARED, "notebook-1.1.6");
const PREFIXES = join(SHARED, "prefixes-pre73");
const SAME_SECOND = join(SHARED, "same-second-1.1.6");
const INTERLEAVED = join(SHARED, "interleaved-1.1.6");

// kWh (PUE 1.59 applied) as the notebook's output logs print them.
const A_PRED_5 = 0.02444;
const B_ACTUAL = 0.009529;
const C_PRED_5 = 0.023791;

async function parse(paths: string[], json = false) {
  let stdout = "";
  let stderr = "";
  const code = await runParseCommand(
    { paths, json },
    { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) },
  );
  return { code, stdout, stderr: stderr.split("\n").filter(Boolean) };
}

function durations(run: { components: Record<string, { epochDurationsS: number[] }> }) {
  return run.components.gpu?.epochDurationsS;
}

test("notebook, 1.1.6: three trackers, each its own epochs and consumption (the original counts the first's actual: the second's 'Training was interrupted' is in its file)", async () => {
  const runs = await parseAllLogs(NOTEBOOK, issueCollector());
  assert.deepEqual(
    runs.map((r) => [r.runId, r.start, durations(r), r.earlyStop, r.counted.basis, r.counted.epochs]),
    [
      ["2022-11-14T154243Z", "2022-11-14T15:42:43", [61.37], false, "predicted", 5],
      ["2022-11-14T155012Z", "2022-11-14T15:50:12", [60.88, 61.02], true, "actual", 2],
      ["2022-11-14T155730Z", "2022-11-14T15:57:30", [60.95], false, "predicted", 5],
    ],
  );
  assert.deepEqual(
    runs.map((r) => r.counted.energyKwh),
    [A_PRED_5, B_ACTUAL, C_PRED_5],
  );
  // The first run's blocks are its own: actual for 1 epoch, prediction for 5 at 101 g/kWh.
  assert.equal(runs[0]?.actual?.energyKwh, 0.004888);
  assert.equal(runs[0]?.pred?.co2eqG, 2.468456);
  assert.equal(runs[0]?.intensity.gPerKwh, 102);
  assert.equal(runs[1]?.intensity.gPerKwh, 95);
  const totals = await aggregateConsumption(NOTEBOOK, issueCollector());
  assert.equal(totals.runs, 3);
  assert.ok(Math.abs(totals.energyKwh - (A_PRED_5 + B_ACTUAL + C_PRED_5)) < 1e-15);
  // parse_logs on the first tracker's standard log: its one epoch, not the four in the file.
  const components = await parseLogs(
    NOTEBOOK,
    join(NOTEBOOK, "2022-11-14T154243Z_carbontracker.log"),
    issueCollector(),
  );
  assert.deepEqual(components.gpu?.powerW, [[152.93418571]]);
  assert.deepEqual(components.cpu?.epochDurationsS, [61.37]);
});

test("notebook, 1.1.6: `carbontracker --parse` prints the three runs' sum and says which files held later trackers' lines", async () => {
  const { code, stdout, stderr } = await parse([NOTEBOOK]);
  assert.equal(code, 0);
  assert.equal(
    stdout,
    "The training of models in this work is estimated to use 0.0577600000000000 kWh of electricity contributing to 0.0054553880000000 kg of CO2eq. This is equivalent to 0.0453100000000000 km travelled by car. Measured by carbontracker (https://github.com/lfwa/carbontracker).\n",
  );
  assert.deepEqual(stderr, [
    `carbontracker: ${NOTEBOOK}/2022-11-14T154243Z_carbontracker_output.log: also holds the lines of 2 later CarbonTracker object(s) (the trackers of one process shared a logger before carbontracker #73, and files were named by the time alone before 1.1.7): read as 3 runs, this one up to the next tracker's first line`,
    `carbontracker: ${NOTEBOOK}/2022-11-14T155012Z_carbontracker_output.log: also holds the lines of 1 later CarbonTracker object(s) (the trackers of one process shared a logger before carbontracker #73, and files were named by the time alone before 1.1.7): read as 2 runs, this one up to the next tracker's first line`,
  ]);
  const records = JSON.parse((await parse([NOTEBOOK], true)).stdout) as RunRecord[];
  assert.deepEqual(
    records.map((r) => [r.run_id, r.epochs, r.energy_kwh, r.counted, r.early_stop]),
    [
      ["2022-11-14T154243Z", 5, A_PRED_5, "predicted", false],
      ["2022-11-14T155012Z", 2, B_ACTUAL, "actual", true],
      ["2022-11-14T155730Z", 5, C_PRED_5, "predicted", false],
    ],
  );
});

test("notebook, 1.1.6: a later tracker whose own files are not read is found once in the first's files", async (t) => {
  const dir = tempFolder(t);
  for (const name of readdirSync(NOTEBOOK).filter((n) => !n.startsWith("2022-11-14T155730Z"))) {
    copyFileSync(join(NOTEBOOK, name), join(dir, name));
  }
  const { runs, issues } = await readLogs([dir]);
  assert.deepEqual(
    runs.map((r) => [r.runId, durations(r), r.counted.energyKwh]),
    [
      ["2022-11-14T154243Z", [61.37], A_PRED_5],
      ["2022-11-14T154243Z#3", [60.95], C_PRED_5],
      ["2022-11-14T155012Z", [60.88, 61.02], B_ACTUAL],
    ],
  );
  assert.deepEqual(runs[1]?.files, {
    standard: join(dir, "2022-11-14T154243Z_carbontracker.log"),
    output: join(dir, "2022-11-14T154243Z_carbontracker_output.log"),
  });
  assert.ok(
    issues.some((i) =>
      i.message.startsWith(
        "the 3rd CarbonTracker whose lines are in 2022-11-14T154243Z_carbontracker.log (the trackers of one process",
      ),
    ),
  );
  // The first tracker's standard log named alone: all three trackers, the same total.
  const alone = await readLogs([join(NOTEBOOK, "2022-11-14T154243Z_carbontracker.log")]);
  assert.deepEqual(
    alone.runs.map((r) => [r.runId, r.counted.energyKwh]),
    [
      ["2022-11-14T154243Z", A_PRED_5],
      ["2022-11-14T154243Z#2", B_ACTUAL],
      ["2022-11-14T154243Z#3", C_PRED_5],
    ],
  );
});

test("prefixes, before #73: standard logs apart, output logs shared: the later tracker's blocks are not the first's (the original reads them as the first's actual)", async () => {
  const runs = await parseAllLogs(PREFIXES, issueCollector());
  const [finetune, pretrain] = runs;
  assert.equal(runs.length, 2);
  assert.equal(pretrain?.runId, "pretrain_48213_2023-06-05T091502Z");
  assert.equal(pretrain?.pid, 48213);
  assert.equal(pretrain?.actual, null);
  assert.equal(pretrain?.pred?.epochs, 10);
  assert.deepEqual(durations(pretrain ?? { components: {} }), [301.27, 299.83, 300.42]);
  // Early stopping without stop(): the 3 logged epochs count, not the prediction for 10.
  assert.equal(pretrain?.counted.basis, "epochs");
  const joules =
    (231.40918273 + 88.62714905) * 301.27 +
    (236.11872644 + 89.10427336) * 299.83 +
    (234.87702913 + 88.93318472) * 300.42;
  assert.ok(Math.abs((pretrain?.counted.energyKwh ?? 0) - (joules * 1.55) / 3.6e6) < 1e-12);
  assert.equal(finetune?.counted.basis, "actual");
  assert.equal(finetune?.counted.energyKwh, 0.029028935123);
  const { stderr } = await parse([PREFIXES]);
  assert.ok(
    stderr.includes(
      `carbontracker: ${PREFIXES}/pretrain_48213_2023-06-05T091502Z_carbontracker_output.log: ended after 3 epochs of 10 without its actual consumption (killed?): counted the 3 epochs logged, not the prediction for 10`,
    ),
  );
});

test("same second, 1.1.6: two trackers in one file pair, the second's lines twice: two runs, its epochs and blocks read once", async () => {
  const { runs, issues } = await readLogs([SAME_SECOND]);
  assert.deepEqual(
    runs.map((r) => [r.runId, durations(r), r.counted.basis, r.counted.energyKwh]),
    [
      ["2023-03-02T101507Z", [], "none", 0],
      ["2023-03-02T101507Z#2", [847.31, 851.09, 849.77], "actual", 0.292882],
    ],
  );
  assert.deepEqual(runs[1]?.components.gpu?.powerW, [[261.48137726], [258.90420158], [260.33195201]]);
  assert.ok(issues.some((i) => /output log repeats 2 consumption block\(s\) back to back/.test(i.message)));
  assert.ok(!issues.some((i) => /more consumption block/.test(i.message)));
  const { stdout } = await parse([SAME_SECOND]);
  assert.match(stdout, /^The training of models in this work is estimated to use 0\.2928820000000000 kWh/);
});

test("interleaved, 1.1.6: two trackers logging at once cannot be told apart: their epochs count once, with a note (the original counts the first's blocks for both files)", async () => {
  const { runs, issues } = await readLogs([INTERLEAVED]);
  const [first, second] = runs;
  assert.equal(runs.length, 2);
  assert.equal(first?.counted.basis, "none");
  assert.deepEqual(durations(second ?? { components: {} }), [95.41, 41.07, 60 + 36.02, 40.88]);
  assert.equal(second?.counted.basis, "epochs");
  assert.equal(second?.counted.epochs, 4);
  const joules = 187.20931764 * 95.41 + 143.66102985 * 41.07 + 189.01144379 * 96.02 + 145.1209332 * 40.88;
  assert.ok(Math.abs((second?.counted.energyKwh ?? 0) - (joules * 1.59) / 3.6e6) < 1e-15);
  // What the two trackers' own actual blocks say, 6 decimals each.
  assert.ok(Math.abs((second?.counted.energyKwh ?? 0) - (0.015905 + 0.005226)) < 1e-6);
  assert.ok(
    issues.some((i) =>
      i.message.startsWith(
        "standard log numbers its epochs 1, 1, 2, 2: several CarbonTracker objects were logging into it at once",
      ),
    ),
  );
  assert.ok(!issues.some((i) => /more consumption block/.test(i.message)));
});

test("one tracker whose epoch numbers skip (epoch_start twice) is not taken for two", async (t) => {
  const dir = tempFolder(t);
  const lines = readFileSync(join(SAME_SECOND, "2023-03-02T101507Z_carbontracker.log"), "utf8")
    .split("\n")
    .filter((line, i, all) => line !== all[i - 1])
    .map((line) => line.replace(/Epoch ([23]):/, (_, n: string) => `Epoch ${Number(n) * 2 - 1}:`));
  writeFileSync(join(dir, "2023-03-02T101507Z_carbontracker.log"), lines.slice(4).join("\n"));
  const { runs, issues } = await readLogs([dir]);
  assert.equal(runs.length, 1);
  assert.deepEqual(durations(runs[0] ?? { components: {} }), [847.31, 851.09, 849.77]);
  assert.ok(!issues.some((i) => /numbers its epochs/.test(i.message)));
});

test("the notebook's console output: a later tracker's blocks print once per tracker made so far; each is read once", async () => {
  const file = join(SHARED, "notebook-1.1.6-stdout.txt");
  const { runs, problems } = parseConsoleCapture(readFileSync(file, "utf8"), file);
  assert.deepEqual(
    runs.map((r) => [r.actual?.epochs, r.pred?.epochs, r.counted.basis, r.counted.energyKwh]),
    [
      [1, 5, "predicted", A_PRED_5],
      [1, 5, "predicted", 0.023599],
      [1, 5, "predicted", C_PRED_5],
    ],
  );
  assert.deepEqual(problems, [
    "6 consumption block(s) printed again right after themselves (before carbontracker #73 each CarbonTracker of a process added a console handler, so a later tracker's lines print once per tracker made so far): read once",
  ]);
  const { code, stdout } = await parse([file]);
  assert.equal(code, 0);
  assert.match(stdout, /^The training of models in this work is estimated to use 0\.0718300000000000 kWh/);
});
