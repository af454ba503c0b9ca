// Background samples reach the JSONL in batches (those handed over in one turn, in one write at
// its end), never out of order: any other record writes the waiting samples first, and closing
// the log or the process exiting writes them too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { runFiles } from "../../src/logs/run-files.js";
import { JsonlSink } from "../../src/logs/sinks/jsonl-sink.js";
import { LogFiles } from "../../src/logs/sinks/log-files.js";
import type { SampleRecord, TrackerRecord } from "../../src/logs/schema.js";
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
  const logFiles = new LogFiles(files, [], () => {});
  const sink = new JsonlSink(logFiles);
  const log = {
    write: (record: TrackerRecord) => sink.handle({ type: "record", record }),
    close: () => {
      sink.close();
      logFiles.close();
    },
  };
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
  log.write(sample(100, 1));
  log.write(sample(200, 2));
  log.write(sample(300, 3));
  assert.deepEqual(lines(), []);
  log.write({ type: "end", t: 350, reason: "finished" });
  assert.deepEqual(
    lines().map((r) => `${r.type}@${r.t}`),
    ["sample@100", "sample@200", "sample@300", "end@350"],
  );
  log.close();
});

test("the samples handed over in one turn are written at its end; closing writes the rest", async () => {
  const { log, lines } = openLog();
  for (let t = 0; t < 10_000; t += 1000) log.write(sample(t, t / 1000));
  assert.equal(lines().length, 0, "written before the turn ended");
  await Promise.resolve();
  assert.deepEqual(
    lines().map((r) => r.t),
    [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000],
  );
  log.write(sample(10_000, 10));
  log.close();
  assert.equal(lines().at(-1)?.t, 10_000);
});

test("a process that exits without closing its JSONL still writes the waiting samples", () => {
  const dir = tempDir();
  const script = join(dir, "exit-early.mjs");
  writeFileSync(
    script,
    `import { JsonlSink } from ${JSON.stringify(pathToFileURL(resolve("dist/src/logs/sinks/jsonl-sink.js")).href)};
import { LogFiles } from ${JSON.stringify(pathToFileURL(resolve("dist/src/logs/sinks/log-files.js")).href)};
import { runFiles } from ${JSON.stringify(pathToFileURL(resolve("dist/src/logs/run-files.js")).href)};
const sink = new JsonlSink(new LogFiles(runFiles(${JSON.stringify(dir)}, "", 1, 1, new Date(0)), [], () => {}));
for (let t = 0; t < 3; t++) sink.handle({ type: "record", record: { type: "sample", t, component: "cpu", device: "cpu:0", power_w: 1, energy_j: t, provenance: "counter" } });
process.exit(0);`,
  );
  const run = spawnSync(process.execPath, [script], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const jsonl = runFiles(dir, "", 1, 1, new Date(0)).jsonl;
  assert.equal(readFileSync(jsonl, "utf8").trim().split("\n").length, 3);
});
