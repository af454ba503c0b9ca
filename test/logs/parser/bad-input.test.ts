// Bad input never stops the aggregate: truncated, corrupt, binary or mixed files, empty and
// missing folders, unmatched pairs and duplicates each get a message naming the file, and every
// other run still counts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LogParseError } from "../../../src/errors/index.js";
import { aggregateConsumption, parseAllLogs, readLogs } from "../../../src/logs/parser/index.js";
import { GENERATED, issueCollector, tempFolder } from "./helpers.js";

const RUN01 = join(GENERATED, "run-01-api-e3-p1-m-1-stop");
const RUN02 = join(GENERATED, "run-02-api-e3-p1-m-1-stop");
const RUN01_KWH = 0.000302865014;
const RUN02_KWH = 0.000302867361;

function copyLogs(from: string, to: string, rename?: (name: string) => string): string[] {
  const names = readdirSync(from).filter((n) => /_carbontracker(_output|_err)?\.log$/.test(n));
  for (const name of names) copyFileSync(join(from, name), join(to, rename ? rename(name) : name));
  return names;
}

test("an empty folder aggregates to zero runs and zero energy", async (t) => {
  const totals = await aggregateConsumption(tempFolder(t), issueCollector());
  assert.deepEqual(totals, { energyKwh: 0, co2eqG: 0, equivalents: {}, runs: 0 });
});

test("a missing folder is a LogParseError naming it", async () => {
  await assert.rejects(parseAllLogs("/no/such/carbontracker/logs"), (error: unknown) => {
    assert.ok(error instanceof LogParseError);
    assert.equal(error.file, "/no/such/carbontracker/logs");
    assert.match(error.message, /no such file or directory/);
    return true;
  });
});

test("an output log cut short inside its actual block: named with its line, the other run still counts", async (t) => {
  const dir = tempFolder(t);
  copyLogs(RUN02, dir);
  const [output] = copyLogs(RUN01, dir).filter((n) => n.endsWith("_output.log"));
  const path = join(dir, output as string);
  const text = readFileSync(path, "utf8");
  writeFileSync(path, text.slice(0, text.indexOf("\tCO2eq:\t0.134774931102")));
  const { runs, issues } = await readLogs([dir]);
  assert.equal(runs.length, 2);
  const cut = issues.find(
    (i) => i.file === path && /line 11: Actual consumption block without CO2eq/.test(i.message),
  );
  assert.ok(cut, JSON.stringify(issues));
  const run01 = runs.find((r) => r.files.output === path);
  assert.equal(run01?.actual, null);
  assert.equal(
    run01?.counted.basis,
    "predicted",
    "all 3 epochs ran (standard log): the prediction stands in",
  );
  assert.equal(runs.find((r) => r.files.output !== path)?.counted.energyKwh, RUN02_KWH);
});

test("corrupt and binary files named as logs: notes, no exception, the good run counted", async (t) => {
  const dir = tempFolder(t);
  copyLogs(RUN01, dir);
  writeFileSync(
    join(dir, "9.1_2026-01-01T000000Z_carbontracker.log"),
    Buffer.from([0, 255, 1, 2, 10, 200, 0, 13]),
  );
  writeFileSync(
    join(dir, "9.1_2026-01-01T000000Z_carbontracker_output.log"),
    "CarbonTracker: \nPredicted consumption for 3 epoch(s):\n\tTime:\tbanana\n\tEnergy:\tNaN kWh\n\tCO2eq:\t-- g\n",
  );
  writeFileSync(
    join(dir, "9.2_2026-01-01T000000Z_carbontracker.log"),
    "2026-01-01 00:00:00 - Average power usage (W) for cpu: [1.0 banana]\n2026-01-01 00:00:00 - Duration: x:y\n",
  );
  const { runs, issues } = await readLogs([dir]);
  assert.equal(runs.length, 3);
  assert.ok(
    issues.some(
      (i) =>
        i.file.endsWith("9.1_2026-01-01T000000Z_carbontracker_output.log") && /without CO2eq/.test(i.message),
    ),
  );
  assert.ok(
    issues.some(
      (i) =>
        i.file.endsWith("9.2_2026-01-01T000000Z_carbontracker.log") &&
        /unreadable power value for cpu/.test(i.message),
    ),
  );
  assert.ok(issues.some((i) => /unreadable epoch duration/.test(i.message)));
  assert.equal((await aggregateConsumption(dir, issueCollector())).energyKwh, RUN01_KWH);
});

test("a mixed folder (2.3 and 2.4.3 text logs, our JSONL, a stray file): each run once, summed", async (t) => {
  const dir = tempFolder(t);
  copyLogs(RUN01, dir);
  copyLogs(RUN02, dir);
  const start = {
    type: "start",
    t: 0,
    version: "0.1.0",
    host: "h",
    pid: 1,
    pue: 1,
    options: {},
    devices: [],
  };
  const actual = {
    type: "actual",
    t: 1,
    epochs: 1,
    duration_s: 1,
    energy_kwh: 0.5,
    co2eq_g: 100,
    g_per_kwh: 200,
    interrupted: false,
  };
  writeFileSync(
    join(dir, "1.000001_2026-01-01T000000Z_carbontracker.jsonl"),
    [start, actual, { type: "end", t: 2, reason: "finished" }].map((r) => JSON.stringify(r)).join("\n"),
  );
  writeFileSync(join(dir, "model.ckpt"), Buffer.alloc(1024));
  const { runs } = await readLogs([dir]);
  assert.deepEqual(
    runs.map((r) => r.source),
    ["jsonl", "text", "text"],
  );
  const totals = await aggregateConsumption(dir, issueCollector());
  assert.equal(totals.energyKwh, 0.5 + RUN01_KWH + RUN02_KWH);
  assert.equal(totals.runs, 3);
});

test("an orphan standard log and an orphan output log of different runs are not paired; both named", async (t) => {
  const dir = tempFolder(t);
  const std = readdirSync(RUN01).find((n) => n.endsWith("_carbontracker.log")) as string;
  const out = readdirSync(RUN02).find((n) => n.endsWith("_output.log")) as string;
  copyFileSync(join(RUN01, std), join(dir, std));
  copyFileSync(join(RUN02, out), join(dir, out));
  const { runs, issues } = await readLogs([dir]);
  assert.equal(runs.length, 2);
  for (const run of runs) assert.ok(!(run.files.standard && run.files.output), "never paired");
  assert.ok(
    issues.some(
      (i) =>
        i.file.endsWith(std) &&
        /orphan standard log: no output log .* counted from its 3 logged epoch/.test(i.message),
    ),
  );
  assert.ok(issues.some((i) => i.file.endsWith(out) && /orphan output log: no standard log/.test(i.message)));
  const bySource = Object.fromEntries(runs.map((r) => [r.files.output ? "out" : "std", r.counted]));
  assert.equal(
    bySource.out?.basis,
    "predicted",
    "no standard log: 2 of 3 epochs looks like monitoring fewer",
  );
  assert.equal(bySource.std?.basis, "epochs");
});

test("an err log alone is named and ignored", async (t) => {
  const dir = tempFolder(t);
  const err = readdirSync(RUN01).find((n) => n.endsWith("_err.log")) as string;
  copyFileSync(join(RUN01, err), join(dir, err));
  const { runs, issues } = await readLogs([dir]);
  assert.equal(runs.length, 0);
  assert.ok(
    issues.some(
      (i) => i.file.endsWith(err) && /err log without its standard and output logs/.test(i.message),
    ),
  );
});

test("duplicated pairs are counted once: the same run in two folders, and a renamed copy in one folder", async (t) => {
  const a = tempFolder(t);
  const b = join(a, "backup");
  mkdirSync(b);
  copyLogs(RUN01, a);
  copyLogs(RUN01, b);
  copyLogs(RUN01, a, (name) => name.replace("31264.683999", "copy_31264.683999"));
  const { runs, issues } = await readLogs([a, b, a]);
  assert.equal(runs.length, 1);
  assert.equal(issues.filter((i) => /same run as .*: counted once/.test(i.message)).length, 2);
  assert.equal((await aggregateConsumption(a, issueCollector())).energyKwh, RUN01_KWH);
});

test("a logger attached twice writes every line twice: epochs are read once, with a note", async (t) => {
  const dir = tempFolder(t);
  for (const name of copyLogs(RUN01, dir)) {
    const path = join(dir, name);
    const lines = readFileSync(path, "utf8").split("\n");
    writeFileSync(path, lines.flatMap((l) => (l ? [l, l] : [l])).join("\n"));
  }
  const { runs, issues } = await readLogs([dir]);
  assert.deepEqual(runs[0]?.components.cpu?.epochDurationsS, [2.3, 2.3, 2.3]);
  assert.equal(runs[0]?.counted.energyKwh, RUN01_KWH);
  assert.ok(issues.some((i) => /repeats 9 line\(s\) back to back/.test(i.message)));
});

test("#87: one component's None never lands in another's list; 1.x numpy arrays wrapped over lines", async (t) => {
  const dir = tempFolder(t);
  writeFileSync(
    join(dir, "5.1_2026-01-01T000000Z_carbontracker.log"),
    [
      "2026-01-01 00:00:00 - The following components were found: GPU with device(s) A, B, C. CPU with device(s) cpu:0.",
      "2026-01-01 00:00:01 - Epoch 1:",
      "2026-01-01 00:00:01 - Duration: 0:00:10.00",
      "2026-01-01 00:00:01 - Average power usage (W) for gpu: [101.5 102.5",
      "  103.5]",
      "2026-01-01 00:00:01 - Average power usage (W) for cpu: None",
      "2026-01-01 00:00:02 - Epoch 2:",
      "2026-01-01 00:00:02 - Duration: 0:00:10.00",
      "2026-01-01 00:00:02 - Average power usage (W) for gpu: None",
      "2026-01-01 00:00:02 - Average power usage (W) for cpu: [20.0, 30.0]",
    ].join("\n"),
  );
  const [run] = (await readLogs([dir])).runs;
  assert.deepEqual(run?.components.gpu?.powerW, [[101.5, 102.5, 103.5], [null]]);
  assert.deepEqual(run?.components.cpu?.powerW, [[null], [20, 30]]);
  assert.deepEqual(run?.components.gpu?.devices, ["A", "B", "C"]);
  const expected = (((101.5 + 102.5 + 103.5) * 10 + 50 * 10) * 1.58) / 3.6e6;
  assert.ok(Math.abs((run?.measured?.energyKwh ?? 0) - expected) < 1e-15);
});

test("empty standard and output logs (a run that wrote nothing) are named and skipped", async (t) => {
  const dir = tempFolder(t);
  writeFileSync(join(dir, "7.1_2026-01-01T000000Z_carbontracker.log"), "");
  writeFileSync(join(dir, "7.1_2026-01-01T000000Z_carbontracker_output.log"), "");
  const { runs, issues } = await readLogs([dir]);
  assert.equal(runs.length, 0);
  assert.ok(issues.some((i) => /standard and output logs are empty/.test(i.message)));
});

test("runs of different processes with equal logs (simulated power in a job array) are both counted", async (t) => {
  const dir = tempFolder(t);
  copyLogs(RUN01, dir);
  copyLogs(RUN01, dir, (name) => name.replace("31264.683999", "31265.100000"));
  const { runs, issues } = await readLogs([dir]);
  assert.equal(runs.length, 2);
  assert.ok(!issues.some((i) => /same run/.test(i.message)));
});

test("pre-#73 names (`<prefix_><pid>_<date>`, no tracker id) give the pid: equal runs of two processes both count", async (t) => {
  const dir = tempFolder(t);
  copyLogs(RUN01, dir, (name) => name.replace("31264.683999", "exp_48213"));
  copyLogs(RUN01, dir, (name) => name.replace("31264.683999", "exp_48214"));
  const { runs, issues } = await readLogs([dir]);
  assert.deepEqual(
    runs.map((r) => [r.runId, r.pid]),
    [
      ["exp_48213_2026-11-28T125147Z", 48213],
      ["exp_48214_2026-11-28T125147Z", 48214],
    ],
  );
  assert.ok(!issues.some((i) => /same run/.test(i.message)));
});

test("stop() before the first epoch: the original's 'Actual consumption for -1 epoch(s)' block is read", async (t) => {
  const dir = tempFolder(t);
  const id = "4242.77_2026-11-28T130000Z";
  writeFileSync(
    join(dir, `${id}_carbontracker.log`),
    [
      "2026-11-28 13:00:00 - carbontracker version 2.4.3",
      "2026-11-28 13:00:00 - Only predicted and actual consumptions are multiplied by a PUE coefficient of 1.58 (Daniel Bizo, 2023, Uptime Institute Global Data Center Survey).",
      "2026-11-28 13:00:00 - The following components were found: CPU with device(s) cpu:0.",
      "2026-11-28 13:00:00 - Monitoring thread started.",
      "2026-11-28 13:00:01 - Training was interrupted before all 3 epochs were monitored.",
      "2026-11-28 13:00:01 - Monitoring thread ended.",
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, `${id}_carbontracker_output.log`),
    [
      "2026-11-28 13:00:00 - CarbonTracker: The following components were found: CPU with device(s) cpu:0.",
      "2026-11-28 13:00:01 - CarbonTracker: ",
      "Actual consumption for -1 epoch(s):",
      "\tTime:\t0:00:00",
      "\tEnergy:\t0.000000000000 kWh",
      "\tCO2eq:\t0.000000000000 g",
      "\tThis is equivalent to:",
      "\t0.000000000000 km travelled by car",
      "2026-11-28 13:00:01 - CarbonTracker: Finished monitoring.",
      "",
    ].join("\n"),
  );
  const { runs, issues } = await readLogs([dir]);
  assert.deepEqual(issues, []);
  assert.equal(runs[0]?.actual?.energyKwh, 0);
  assert.equal(runs[0]?.counted.basis, "actual");
  assert.equal(runs[0]?.counted.epochs, 0);
});
