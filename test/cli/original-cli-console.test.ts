// `carbontracker <command>` says what the original's CLI (2.4.3, cli.py) said for the same run:
// corpus run 18 wrapped `sleep 2.5` on a fake RAPL tree at 100 W, offline. Our lines go to stderr
// (the command's stdout stays its own); compared line by line with the original's stdout, and our
// output log with its output log, once timestamps and figures are normalised.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cliEnv, runCli, tempDir } from "../helpers/cli-process.js";
import { singlePackageLayout, spawnFakePowercap } from "../helpers/fake-powercap.js";
import { GENERATED } from "../logs/parser/helpers.js";
import { logOf, sameLines } from "../helpers/original-lines.js";

const RUN_18 = join(GENERATED, "run-18-cli-rapl");

/** Our line after the original's default-intensity warning: where the figure comes from, and the fix. */
const OUR_DETAIL = /^CarbonTracker: WARNING - The default [\d.]+ gCO2eq\/kWh is the /;
/** The original prints these from two threads, in either order: compared as a set. */
const RACE = [
  /^CarbonTracker: The following components were found/,
  /^CarbonTracker: WARNING - No carbon intensity/,
];

function normalise(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d - /, ""))
    .filter((line) => line.trim() !== "" && !OUR_DETAIL.test(line))
    .map((line) => line.replace(/\d+:\d\d:\d\d/g, "T").replace(/\d+(\.\d+)?/g, "N"));
}

test("a wrapped command: the original CLI's console lines and output log, 'No API keys provided' first", async (t) => {
  const rapl = await spawnFakePowercap(singlePackageLayout({ kind: "constant", watts: 100 }));
  t.after(() => rapl.stop());
  const dir = tempDir();
  const run = await runCli(["--log_dir", dir, "sleep", "2.5"], {
    env: cliEnv({ CARBONTRACKER_POWERCAP_ROOT: rapl.root }),
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, "", "the command's stdout is its own");
  sameLines(
    normalise(run.stderr),
    normalise(readFileSync(join(RUN_18, "stdout.txt"), "utf8")),
    "console",
    RACE,
  );
  sameLines(
    normalise(logOf(dir, "_carbontracker_output.log")),
    normalise(logOf(RUN_18, "_carbontracker_output.log")),
    "output log",
    RACE,
  );
});

test("--api_keys given: no 'No API keys' warning; --epochs: the actual block keeps its epoch count", async () => {
  const dir = tempDir();
  const sim = ["--sim-cpu", "Sim CPU", "--sim-cpu-tdp", "100"];
  const keyed = await runCli(["--log_dir", dir, ...sim, "--api_keys", '{"electricitymaps": "k"}', "true"]);
  assert.equal(keyed.code, 0, keyed.stderr);
  assert.doesNotMatch(keyed.stderr, /No API keys provided/);
  assert.match(keyed.stderr, /\nActual consumption:\n/);
  // `--api_keys '{}'` is {} for the original too: not None, so no warning.
  const empty = await runCli(["--log_dir", dir, ...sim, "--api_keys", "{}", "true"]);
  assert.equal(empty.code, 0, empty.stderr);
  assert.doesNotMatch(empty.stderr, /No API keys provided/);
  const epochs = await runCli(["--log_dir", dir, ...sim, "--epochs", "1", "true"]);
  assert.equal(epochs.code, 0, epochs.stderr);
  // After the simulated device's line, as the original's monitoring thread prints it first.
  assert.match(epochs.stderr, /^Using simulated CPU: .*\nCarbonTracker: WARNING - No API keys provided\. /);
  assert.match(epochs.stderr, /\nActual consumption for 1 epoch\(s\):\n/);
});
