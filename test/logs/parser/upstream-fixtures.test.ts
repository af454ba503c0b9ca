// The log texts of the original's own unit tests (fixture-NN) and real logs from its issues and
// docs (sample-NN): each gives the values the original's tests expect, or the right ones where
// the original is wrong (said in the test name). The last test checks no fixture file is left out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import {
  aggregateSentence,
  buildTextRun,
  parseConsoleCapture,
  readLogs,
  totalConsumption,
} from "../../../src/logs/parser/index.js";
import { parseComponentsLine } from "../../../src/logs/parser/devices.js";
import { CAPTURE_BLOCKS } from "./capture-expectations.js";
import { FIXTURES, GENERATED, tempFolder } from "./helpers.js";

const read = (name: string) => readFileSync(join(FIXTURES, name), "utf8");
const standardRun = (name: string) =>
  buildTextRun({ runId: name, files: { standard: name }, standard: read(name) });
const outputRun = (name: string) =>
  buildTextRun({ runId: name, files: { output: name }, output: read(name) });

/** Fixture files each test below reads. */
const COVERED = new Set<string>();
const cover = (...names: string[]) => names.forEach((n) => COVERED.add(n));

test("fixture-01: components line of an output log with indented continuation lines", () => {
  cover("fixture-01_carbontracker_output.log");
  const first = read("fixture-01_carbontracker_output.log").split("\n")[0] as string;
  assert.deepEqual(parseComponentsLine(first), { gpu: ["NVIDIA GeForce RTX 3060"], cpu: ["cpu:0"] });
  const run = outputRun("fixture-01_carbontracker_output.log");
  assert.deepEqual(run.actual, {
    epochs: 1,
    durationS: 53,
    energyKwh: 0.003504,
    co2eqG: 0.357451,
    equivalents: { "km travelled by car": 0.002969 },
  });
  assert.deepEqual(run.pred?.epochs, 4);
  assert.deepEqual(run.pred?.energyKwh, 0.014018);
});

test("fixture-02: durations 0:02:21.90 and 0:01:30 without a time stamp", () => {
  cover("fixture-02_carbontracker.log");
  assert.deepEqual(standardRun("fixture-02_carbontracker.log").measured?.durationS, 141.9 + 90.0);
  const run = buildTextRun({
    runId: "x",
    files: {},
    standard: read("fixture-02_carbontracker.log"),
    output: "",
  });
  assert.equal(run.measured?.epochs, 2);
});

test("fixture-03: bracketed single values per component", () => {
  cover("fixture-03_carbontracker.log");
  const run = standardRun("fixture-03_carbontracker.log");
  assert.deepEqual(run.components.gpu?.powerW, [[136.86084615]]);
  assert.deepEqual(run.components.cpu?.powerW, [[13.389104]]);
});

test("fixture-04: 'Training was interrupted' is an early stop", () => {
  cover("fixture-04_carbontracker.log");
  assert.equal(standardRun("fixture-04_carbontracker.log").earlyStop, true);
});

test("fixture-05 and fixture-10: actual on the time-stamped line, tab separators: 142 s, 0.009417 kWh, 0.96049 g", () => {
  cover("fixture-05_carbontracker_output.log", "fixture-10_carbontracker_output.log");
  for (const name of ["fixture-05_carbontracker_output.log", "fixture-10_carbontracker_output.log"]) {
    const run = outputRun(name);
    assert.deepEqual(run.actual, {
      epochs: 1,
      durationS: 142,
      energyKwh: 0.009417,
      co2eqG: 0.96049,
      equivalents: { "km travelled by car": 0.007977 },
    });
    assert.deepEqual(totalConsumption([run]), {
      energyKwh: 0.009417,
      co2eqG: 0.96049,
      equivalents: { "km travelled by car": 0.007977 },
      runs: 1,
    });
  }
});

test("fixture-06: power lines before the epoch's duration still pair with it", () => {
  cover("fixture-06_carbontracker.log");
  const run = standardRun("fixture-06_carbontracker.log");
  assert.deepEqual(run.components.gpu?.energyJ, [[136.86084615 * 141.9]]);
  assert.deepEqual(run.components.cpu?.energyJ, [[13.389104 * 141.9]]);
});

test("fixture-07 and fixture-16: None is an unknown power (the original writes 0.0), counted as nothing", () => {
  cover("fixture-07_carbontracker.log", "fixture-16_carbontracker.log");
  assert.deepEqual(standardRun("fixture-07_carbontracker.log").components.gpu?.powerW, [[null]]);
  const run = standardRun("fixture-16_carbontracker.log");
  assert.deepEqual(run.components.cpu?.powerW, [[null]]);
  assert.deepEqual(run.components.gpu?.powerW, [[null]]);
  assert.deepEqual(run.components.cpu?.epochDurationsS, [0]);
  assert.equal(run.measured?.energyKwh, 0);
});

test("fixture-08: space separators and 'This is equivalent to:' with nothing after it", () => {
  cover("fixture-08_carbontracker_output.log");
  assert.deepEqual(outputRun("fixture-08_carbontracker_output.log").actual, {
    epochs: 1,
    durationS: 142,
    energyKwh: 0.009417,
    co2eqG: 0.96049,
    equivalents: {},
  });
});

test("fixture-09 and fixture-17: v1.1.6 standard log with [None] powers, gCO2/kWh and gCO2eq/kWh", () => {
  cover("fixture-09_carbontracker.log", "fixture-17_carbontracker.log");
  for (const name of ["fixture-09_carbontracker.log", "fixture-17_carbontracker.log"]) {
    const run = standardRun(name);
    assert.equal(run.version, "1.1.6");
    assert.equal(run.pue, 1.59);
    assert.deepEqual(run.components.gpu?.devices, ["NVIDIA GeForce RTX 3060"]);
    assert.deepEqual(run.components.cpu?.devices, ["cpu:0"]);
    assert.deepEqual(run.components.gpu?.powerW, [[null]]);
    assert.deepEqual(run.components.cpu?.epochDurationsS, [53.25]);
    assert.deepEqual(run.intensity, {
      gPerKwh: 102,
      source: "live",
      location: "Copenhagen, Capital Region, DK",
      year: null,
    });
  }
});

test("fixture-11: actual for 1 epoch and prediction for 4, no standard log: the prediction counts, with a note", () => {
  cover("fixture-11_carbontracker_output.log");
  const run = outputRun("fixture-11_carbontracker_output.log");
  assert.equal(run.counted.basis, "predicted");
  assert.equal(totalConsumption([run]).energyKwh, 0.014018);
  assert.ok(run.warnings.some((w) => /early stop/.test(w)));
});

test("fixture-12 and fixture-13: two output logs in one folder add up to 0.010512 kWh", async (t) => {
  cover("fixture-12_carbontracker_output.log", "fixture-13_carbontracker_output.log");
  const dir = tempFolder(t);
  copyFileSync(
    join(FIXTURES, "fixture-12_carbontracker_output.log"),
    join(dir, "a_carbontracker_output.log"),
  );
  copyFileSync(
    join(FIXTURES, "fixture-13_carbontracker_output.log"),
    join(dir, "b_carbontracker_output.log"),
  );
  const { runs, issues } = await readLogs([dir]);
  assert.equal(totalConsumption(runs).energyKwh, 0.003504 + 0.007008);
  assert.equal(runs[1]?.actual?.epochs, 2);
  assert.equal(issues.filter((i) => /orphan output log/.test(i.message)).length, 2);
});

test("fixture-14: actual and prediction both for 1 epoch: the actual counts", () => {
  cover("fixture-14_carbontracker_output.log");
  const run = outputRun("fixture-14_carbontracker_output.log");
  assert.equal(run.counted.basis, "actual");
  assert.equal(run.counted.energyKwh, 0.003504);
});

test("fixture-15: two power lines per component for one duration is a note naming the counts (the original raises MismatchedEpochsError)", () => {
  cover("fixture-15_carbontracker.log");
  const run = standardRun("fixture-15_carbontracker.log");
  assert.ok(run.warnings.some((w) => /2 power value\(s\) for gpu but 1 epoch duration/.test(w)));
  assert.deepEqual(run.components.gpu?.energyJ, [[136.86084615 * 141.9], [null]]);
});

test("fixture-18 to fixture-21: the tracker's messages; 18 has no consumption title, 19 is the CLI form", () => {
  cover(
    "fixture-18_expected_output_message.txt",
    "fixture-19_expected_output_message.txt",
    "fixture-20_expected_output_message.txt",
    "fixture-21_expected_output_message.txt",
  );
  assert.deepEqual(parseConsoleCapture(read("fixture-18_expected_output_message.txt"), "f18").runs, []);
  const [r19] = parseConsoleCapture(read("fixture-19_expected_output_message.txt"), "f19").runs;
  assert.equal(r19?.actual?.epochs, null);
  assert.equal(r19?.counted.energyKwh, 60);
  const [r21] = parseConsoleCapture(read("fixture-21_expected_output_message.txt"), "f21").runs;
  assert.equal(r21?.pred?.epochs, 5);
  assert.equal(r21?.counted.basis, "predicted");
});

test("sample-01: 1.1.3 pair (leading empty line, stray backticks, actual before prediction, None GPU power)", async (t) => {
  cover("sample-01_carbontracker.log", "sample-01_carbontracker_output.log");
  const dir = tempFolder(t);
  for (const suffix of ["_carbontracker.log", "_carbontracker_output.log"]) {
    copyFileSync(join(FIXTURES, `sample-01${suffix}`), join(dir, `sample-01${suffix}`));
  }
  const { runs, issues } = await readLogs([dir]);
  assert.deepEqual(issues, []);
  const [run] = runs;
  assert.equal(run?.version, "1.1.3");
  assert.equal(run?.pue, 1.67);
  assert.deepEqual(run?.components.gpu?.devices, ["GeForce GTX 1050 Ti"]);
  assert.deepEqual(run?.components.gpu?.powerW, [[null]]);
  assert.equal(run?.actual?.epochs, 1);
  assert.equal(run?.pred?.epochs, 5);
  assert.equal(run?.pred?.durationS, 25);
  assert.equal(
    run?.counted.basis,
    "predicted",
    "1 of 5 epochs monitored, no early stop: the original's rule",
  );
  assert.equal(run?.counted.energyKwh, 0);
});

test("sample-02: 2.3.4 standard log from Apple silicon, bare floats, 'GPU, ANE'", () => {
  cover("sample-02_carbontracker.log");
  const run = standardRun("sample-02_carbontracker.log");
  assert.equal(run.version, "2.3.4.dev1+g61759d185.d20251107");
  assert.deepEqual(run.components.gpu?.devices, ["GPU", "ANE"]);
  assert.deepEqual(run.components.cpu?.devices, ["CPU"]);
  assert.deepEqual(run.components.gpu?.powerW, [[0.019533333333333337]]);
  assert.deepEqual(run.components.cpu?.powerW, [[6.785066666666666]]);
  assert.deepEqual(run.components.cpu?.epochDurationsS, [33.57]);
  assert.equal(run.intensity.gPerKwh, 143.3);
  assert.equal(run.intensity.location, "Copenhagen, Capital Region, DK");
  const joules = (0.019533333333333337 + 6.785066666666666) * 33.57;
  assert.ok(Math.abs((run.measured?.energyKwh ?? 0) - (joules * 1.58) / 3.6e6) < 1e-18);
  assert.ok(Math.abs((run.measured?.co2eqG ?? 0) - ((joules * 1.58) / 3.6e6) * 143.3) < 1e-15);
});

test("sample-42: the sentence of the docs, at its 3 decimals", () => {
  cover("sample-42_aggregate.txt");
  const sentence = aggregateSentence(
    { energyKwh: 4.494, co2eqG: 423, equivalents: { "km travelled by car": 3.515 } },
    3,
  );
  assert.equal(`${sentence}\n`, read("sample-42_aggregate.txt"));
});

test("sample-43: the 2020 file names (`2020-05-17T19:02Z_carbontracker.log`) pair by their stem", async (t) => {
  cover("sample-43_parse_all_logs_print.txt");
  assert.match(read("sample-43_parse_all_logs_print.txt"), /2020-05-17T19:02Z_carbontracker_output\.log/);
  const dir = tempFolder(t);
  writeFileSync(join(dir, "2020-05-17T19:02Z_carbontracker.log"), read("fixture-09_carbontracker.log"));
  writeFileSync(
    join(dir, "2020-05-17T19:02Z_carbontracker_output.log"),
    read("fixture-01_carbontracker_output.log"),
  );
  const { runs, issues } = await readLogs([dir]);
  assert.deepEqual(issues, []);
  assert.equal(runs[0]?.runId, "2020-05-17T19:02Z");
  assert.equal(runs[0]?.start, "2022-11-14T15:42:43");
});

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? allFiles(path) : [relative(FIXTURES, path)];
  });
}

test("every fixture file is read by some test (fixture folder complete, none forgotten)", () => {
  const docs = new Set(["SOURCES.md", "ORIGIN.md", "generated/README.md"]);
  const corpus = (name: string) =>
    name.startsWith("generated/") &&
    (/_carbontracker(_output|_err)?\.log$/.test(name) || name.endsWith("expected.json"));
  const missed = allFiles(FIXTURES).filter(
    (name) => !docs.has(name) && !COVERED.has(name) && !(name in CAPTURE_BLOCKS) && !corpus(name),
  );
  assert.deepEqual(missed, []);
  assert.ok(allFiles(GENERATED).length > 100);
});
