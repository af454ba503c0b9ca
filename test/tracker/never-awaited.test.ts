import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/cli-process.js";

test("a program that never awaits epochEnd()/stop() and exits at once still gets its output and logs", () => {
  const dir = tempDir();
  const run = spawnSync(process.execPath, ["test/fixtures/never-awaits.mjs", dir], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Actual consumption for 2 epoch\(s\):/);
  assert.match(run.stdout, /CarbonTracker: Finished monitoring\.\n$/);
  const output = readdirSync(dir).find((n) => n.endsWith("_output.log")) as string;
  assert.match(readFileSync(join(dir, output), "utf8"), /Finished monitoring\.\n$/);
  const jsonl = readdirSync(dir).find((n) => n.endsWith(".jsonl")) as string;
  const last = readFileSync(join(dir, jsonl), "utf8").trim().split("\n").at(-1) as string;
  assert.equal(JSON.parse(last).type, "end");
});
