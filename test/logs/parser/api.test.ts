// The public functions named after the original's: parseAllLogs, parseLogs (most recent or a
// named run), aggregateConsumption and printAggregate.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, readdirSync, utimesSync } from "node:fs";
import { join, relative } from "node:path";
import { LogParseError } from "../../../src/errors/index.js";
import {
  aggregateConsumption,
  parseAllLogs,
  parseLogs,
  printAggregate,
} from "../../../src/logs/parser/index.js";
import { GENERATED, issueCollector, tempFolder } from "./helpers.js";

const RUN01 = join(GENERATED, "run-01-api-e3-p1-m-1-stop");
const RUN22 = join(GENERATED, "run-22-simcpu-simgpu-prec3");

function copyRun(from: string, to: string, mtime: number): void {
  for (const name of readdirSync(from).filter((n) => /_carbontracker(_output|_err)?\.log$/.test(n))) {
    copyFileSync(join(from, name), join(to, name));
    utimesSync(join(to, name), mtime, mtime);
  }
}

test("parseLogs without a file reads the most recently modified run; with one, that run", async (t) => {
  const dir = tempFolder(t);
  copyRun(RUN01, dir, 1_000_000);
  copyRun(RUN22, dir, 2_000_000);
  const newest = await parseLogs(dir, undefined, issueCollector());
  assert.deepEqual(Object.keys(newest).sort(), ["cpu", "gpu"]);
  assert.deepEqual(newest.gpu?.devices, ["NVIDIA A100-SXM4-40GB"]);
  const named = await parseLogs(dir, "31264.683999_2026-11-28T125147Z_carbontracker.log", issueCollector());
  assert.deepEqual(named.cpu?.powerW, [[99.999833], [99.9988315], [99.998259]]);
  assert.deepEqual(named.cpu?.epochDurationsS, [2.3, 2.3, 2.3]);
});

test("parseLogs takes the standard log's path as parseAllLogs names it (the folder joined, relative to the working folder), as the original opens it", async (t) => {
  const dir = relative(process.cwd(), tempFolder(t));
  copyRun(RUN01, dir, 1_000_000);
  const [run] = await parseAllLogs(dir, issueCollector());
  const std = join(dir, "31264.683999_2026-11-28T125147Z_carbontracker.log");
  assert.equal(relative(process.cwd(), run?.files.standard ?? ""), std);
  const named = await parseLogs(dir, std, issueCollector());
  assert.deepEqual(named.cpu?.powerW, [[99.999833], [99.9988315], [99.998259]]);
});

test("parseLogs on a folder without logs is a LogParseError saying what to pass", async (t) => {
  await assert.rejects(parseLogs(tempFolder(t)), (error: unknown) => {
    assert.ok(error instanceof LogParseError);
    assert.match(error.message, /No carbontracker standard log in .*Pass the folder a run logged to\./);
    return true;
  });
});

test("parseAllLogs reports issues through onIssue and returns runs in file order", async () => {
  const { onIssue, issues } = issueCollector();
  const runs = await parseAllLogs(join(GENERATED, "multi-05-mixed-versions"), { onIssue });
  assert.deepEqual(
    runs.map((r) => r.runId),
    ["31970.352092_2026-11-28T125610Z", "31980.831992_2026-11-28T125614Z", "31988.36026_2026-11-28T125624Z"],
  );
  assert.ok(issues.every((i) => i.severity === "warning"));
});

test("aggregateConsumption and printAggregate agree; the sentence goes to the writer given", async () => {
  const totals = await aggregateConsumption(RUN01, issueCollector());
  assert.equal(totals.runs, 1);
  const lines: string[] = [];
  const sentence = await printAggregate(RUN01, { ...issueCollector(), write: (l) => void lines.push(l) });
  assert.deepEqual(lines, [sentence]);
  assert.equal(
    sentence,
    "The training of models in this work is estimated to use 0.0003028650140000 kWh of electricity contributing to 0.0001347749311020 kg of CO2eq. This is equivalent to 0.0012619375570000 km travelled by car. Measured by carbontracker (https://github.com/lfwa/carbontracker).",
  );
});
