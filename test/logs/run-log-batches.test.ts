// Background samples reach the JSONL in batches (one write per 10 s of samples), never out of
// order: any other record writes the waiting samples first, and closing the log or the process
// exiting writes them too. A run killed by a signal loses at most the last batch of samples.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { runFiles } from "../../src/logs/run-files.js";
import { RunLog, SAMPLE_BATCH_MS } from "../../src/logs/run-log.js";
import type { SampleRecord } from "../../src/logs/schema.js";
import { tempDir } from "../helpers/cli-process.js";

const sample = (t: number, energyJ: number): SampleRecord => ({
  type: "sample",
  t,
  component: "cpu",
  device: "cpu:0",
  power_w: 10,
  energy_j: energyJ,
  provenance: "counter",
});

function openLog() {
  const files = runFiles(tempDir(), "", 1, 1, new Date(0));
  const log = new RunLog({ files, verbose: 0, stdout: () => {} });
  const lines = () =>
    existsSync(files.jsonl)
      ? readFileSync(files.jsonl, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { type: string; t: number })
      : [];
  return { log, lines };
}

test("samples wait for their batch; an epoch record writes them first, in order", () => {
  const { log, lines } = openLog();
  log.write(sample(1_000, 1));
  log.write(sample(2_000, 2));
  log.write(sample(3_000, 3));
  assert.deepEqual(lines(), []);
  log.write({ type: "end", t: 3_500, reason: "finished" });
  assert.deepEqual(
    lines().map((r) => `${r.type}@${r.t}`),
    ["sample@1000", "sample@2000", "sample@3000", "end@3500"],
  );
  log.close();
});

test(`a batch is written once its samples span ${SAMPLE_BATCH_MS / 1000} s; closing writes the rest`, () => {
  const { log, lines } = openLog();
  for (let t = 0; t < SAMPLE_BATCH_MS; t += 1_000) log.write(sample(t, t / 1000));
  assert.equal(lines().length, 0);
  log.write(sample(SAMPLE_BATCH_MS, 10));
  assert.equal(lines().length, SAMPLE_BATCH_MS / 1000 + 1);
  log.write(sample(SAMPLE_BATCH_MS + 1_000, 11));
  log.close();
  assert.equal(lines().at(-1)?.t, SAMPLE_BATCH_MS + 1_000);
});

test("a process that exits without closing its log still writes the waiting samples", () => {
  const dir = tempDir();
  const script = join(dir, "exit-early.mjs");
  writeFileSync(
    script,
    `import { RunLog } from ${JSON.stringify(pathToFileURL(resolve("dist/src/logs/run-log.js")).href)};
import { runFiles } from ${JSON.stringify(pathToFileURL(resolve("dist/src/logs/run-files.js")).href)};
const log = new RunLog({ files: runFiles(${JSON.stringify(dir)}, "", 1, 1, new Date(0)), verbose: 0, stdout: () => {} });
for (let t = 0; t < 3; t++) log.write({ type: "sample", t, component: "cpu", device: "cpu:0", power_w: 1, energy_j: t, provenance: "counter" });
process.exit(0);`,
  );
  const run = spawnSync(process.execPath, [script], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const jsonl = runFiles(dir, "", 1, 1, new Date(0)).jsonl;
  assert.equal(readFileSync(jsonl, "utf8").trim().split("\n").length, 3);
});
