// Dialects of the original's logs that no recorded log covers, derived from its code (fixtures
// and how they were made: test/logs/fixtures/dialects/README.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllLogs } from "../../../src/logs/parser/index.js";
import { runParseCommand } from "../../../src/reports/parse-command.js";
import { issueCollector } from "./helpers.js";

const DIALECTS = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/dialects");

/** Mean power per epoch of a component, from the 1.0 log's sample lists. */
function sampleMeans(log: string, component: string): number[] {
  const lists = [...log.matchAll(new RegExp(`Power usages \\(W\\) for ${component}: (.*)`, "g"))];
  return lists.map((m) => {
    const samples = JSON.parse(m[1] as string) as number[][];
    return samples.reduce((sum, s) => sum + (s[0] as number), 0) / samples.length;
  });
}

test("1.0.6 killed in epoch 3: 2 epochs ('Epoch N ended.', one duration per epoch not per component), sampled power, no PUE; the 2 logged epochs count, not the prediction for 3", async () => {
  const dir = join(DIALECTS, "killed-1.0.6");
  const collector = issueCollector();
  const [run, ...others] = await parseAllLogs(dir, collector);
  assert.equal(others.length, 0);
  assert.ok(run);
  assert.equal(run.version, "1.0.6");
  assert.equal(run.pue, 1);
  assert.equal(run.start, "2020-06-02T09:41:27");
  const log = readFileSync(join(dir, "2020-06-02T09:41Z_carbontracker.log"), "utf8");
  const durations = [63.914822, 62.771305];
  const gpu = sampleMeans(log, "gpu");
  const cpu = sampleMeans(log, "cpu");
  assert.deepEqual(run.components.gpu?.epochDurationsS, durations);
  assert.deepEqual(run.components.cpu?.epochDurationsS, durations);
  assert.deepEqual(run.components.gpu?.devices, ["GeForce RTX 2080 Ti"]);
  for (const [component, means] of [
    ["gpu", gpu],
    ["cpu", cpu],
  ] as const) {
    const powers = run.components[component]?.powerW.map((p) => p[0] as number) ?? [];
    powers.forEach((p, e) => assert.ok(Math.abs(p - (means[e] as number)) < 1e-9));
  }
  assert.equal(run.pred?.epochs, 3);
  assert.equal(run.counted.basis, "epochs");
  assert.equal(run.counted.epochs, 2);
  const joules = durations.reduce((sum, d, e) => sum + ((gpu[e] as number) + (cpu[e] as number)) * d, 0);
  assert.ok(Math.abs(run.counted.energyKwh - joules / 3.6e6) < 1e-15);
  assert.deepEqual(
    collector.issues.map((i) => i.message),
    [
      "ended after 2 epochs of 3 without its actual consumption (killed?): counted the 2 epochs logged, not the prediction for 3",
    ],
  );
  let stdout = "";
  await runParseCommand({ paths: [dir] }, { stdout: (s) => void (stdout += s), stderr: () => undefined });
  assert.match(stdout, /^The training of models in this work is estimated to use 0\.0088424551388767 kWh/);
});
