// With no location (offline), the original 2.4.3 warns "No carbon intensity provider specified
// and no location detected. Defaulting to global average carbon intensity for 2024: 445.00
// gCO2eq/kWh." (emissions/intensity/intensity.py, through logger.err_warn: stdout and err log).
// Ours says it to the character, taken here from a real run of the original (the corpus's
// run-01), and adds what we know (the figure's source, why no location, the fix) on the line
// after it, so a grep or a parser of the original's line finds ours. A real python3, the real engine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GENERATED } from "../logs/parser/helpers.js";
import { runScript } from "./python-kit.js";

const ORIGINAL = readFileSync(join(GENERATED, "run-01-api-e3-p1-m-1-stop", "stdout.txt"), "utf8")
  .split("\n")
  .find((line) => line.includes("No carbon intensity provider specified")) as string;
const OURS = /^CarbonTracker: WARNING - The default 445\.00 gCO2eq\/kWh is the .+\. Location: .+$/;

test("no location: the original's default-intensity warning to the character, ours on the next line", async (t) => {
  assert.ok(ORIGINAL?.startsWith("CarbonTracker: WARNING - "), ORIGINAL);
  const run = await runScript(t, (logDir) => [
    "from carbontracker.tracker import CarbonTracker",
    `tracker = CarbonTracker(epochs=1, log_dir=${JSON.stringify(logDir)}, sim_cpu='X', sim_cpu_tdp=100)`,
    "tracker.epoch_start(); tracker.epoch_end()",
  ]);
  if (!run) return;
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split("\n");
  const at = lines.indexOf(ORIGINAL);
  assert.ok(at >= 0, run.stdout);
  assert.match(lines[at + 1] ?? "", OURS);
  const errName = readdirSync(run.logDir).find((f) => f.endsWith("_carbontracker_err.log")) as string;
  const err = readFileSync(join(run.logDir, errName), "utf8").split("\n");
  const original = ORIGINAL.replace("CarbonTracker: WARNING - ", " - MainThread - WARNING - ");
  const errAt = err.findIndex((line) => line.endsWith(original));
  assert.ok(errAt >= 0, err.join("\n"));
  assert.match(err[errAt + 1] ?? "", / - MainThread - WARNING - The default 445\.00 gCO2eq\/kWh is the /);
});
