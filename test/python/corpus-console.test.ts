// Runs of the original 2.4.3 through its API (generated/*, mode "api") reproduced with our Python
// bindings, same options, offline ("no location", as the corpus's geocoder stub answered), on a
// fake RAPL tree where the run used the harness's fake RAPL driver and with sim_cpu where it used
// sim_cpu; then our stdout and output log are compared with the original's line by line, and
// the original's standard log lines must appear in ours in order.
// Normalised, because they must differ: timestamps, measured figures (digits), durations, the
// version and the epochs' length (ours are shorter, to keep the test short). Left out of ours,
// because they add information in lines of their own after the original's (each pattern below
// says what it adds); the original's own thread race (its components line and its intensity
// warning come in either order) is compared as a set of those two lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GENERATED } from "../logs/parser/helpers.js";
import { singlePackageLayout, spawnFakePowercap } from "../helpers/fake-powercap.js";
import { pythonEnv, runScript } from "./python-kit.js";

/** Lines of ours that add information (not in the original), each on a line of its own. */
const OUR_EXTRAS = [
  /^CarbonTracker: WARNING - The default [\d.]+ gCO2eq\/kWh is the /, // the default's source, no location's reason
  /^CarbonTracker: Energy of \w+ .* is SIMULATED /, // the provenance of simulated figures
  /^CarbonTracker: Predicted energy range from the \d+ epochs seen: /, // verbose 2: the prediction's range
  // stop() before all epochs: said on the console too (the original writes it in the standard log
  // only), so a console capture tells an interrupted run from a shorter one.
  /^CarbonTracker: Training was interrupted before all \d+ epochs were monitored\.$/,
];
/**
 * Lines compared as a set, not in order: the original's components line and intensity warning
 * race (its threads print them in either order).
 */
const RACE = [
  /^CarbonTracker: The following components were found/,
  /^CarbonTracker: WARNING - No carbon intensity/,
];

interface Scenario {
  folder: string;
  rapl?: number;
  stop?: "end" | { after: number };
  epochs: number;
}

const SCENARIOS: Scenario[] = [
  { folder: "run-01-api-e3-p1-m-1-stop", rapl: 100, stop: "end", epochs: 3 },
  { folder: "run-04-api-e1-p0-m-1-defaults", rapl: 120, epochs: 1 },
  { folder: "run-08-sim-e4-p2-m-1-verbose2-stop", stop: "end", epochs: 4 },
  { folder: "run-10-sim-e5-p1-m3-prefix", epochs: 5 },
  { folder: "run-14-earlystop-after-e2", rapl: 100, stop: { after: 2 }, epochs: 5 },
  { folder: "run-22-simcpu-simgpu-prec3", epochs: 3 },
];

/**
 * Timestamps, figures and durations out; the original's print() glued to a logger line split;
 * our lines that add information (OUR_EXTRAS) left out.
 */
function normalise(text: string): string[] {
  return text
    .replace(/(utilization\))(?=CarbonTracker: )/g, "$1\n")
    .split("\n")
    .filter((line) => line.trim() !== "" && !isExtra(line.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d - /, "")))
    .map((line) =>
      line
        .replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(,\d{3})? - /, "")
        .replace(/carbontracker version \S+/, "carbontracker version V")
        .replace(/\d+:\d\d:\d\d(\.\d+)?/g, "T")
        .replace(/\d+(\.\d+)?(e-?\d+)?/g, "N"),
    );
}

const isExtra = (line: string) => OUR_EXTRAS.some((p) => p.test(line));
const isRace = (line: string) => RACE.some((p) => p.test(line));

/** Compares the lines, the two racing lines as a set. */
function sameLines(ours: string[], original: string[], what: string): void {
  assert.deepEqual(
    ours.filter((l) => !isRace(l)),
    original.filter((l) => !isRace(l)),
    what,
  );
  assert.deepEqual(ours.filter(isRace).sort(), original.filter(isRace).sort(), `${what} (race lines)`);
}

function logOf(dir: string, suffix: string): string {
  const name = readdirSync(dir).find((f) => f.endsWith(suffix));
  assert.ok(name, `no *${suffix} in ${dir}`);
  return readFileSync(join(dir, name), "utf8");
}

for (const scenario of SCENARIOS) {
  test(`${scenario.folder}: our stdout and logs say what the original's said`, async (t) => {
    const folder = join(GENERATED, scenario.folder);
    const expected = JSON.parse(readFileSync(join(folder, "expected.json"), "utf8")) as {
      options: { CarbonTracker_kwargs: Record<string, unknown> };
    };
    const { log_dir: _logDir, ...kwargs } = expected.options.CarbonTracker_kwargs;
    const fake = scenario.rapl
      ? await spawnFakePowercap(singlePackageLayout({ kind: "constant", watts: scenario.rapl }))
      : undefined;
    t.after(() => fake?.stop());
    const args = Object.entries(kwargs)
      .map(([k, v]) => `${k}=${typeof v === "string" ? JSON.stringify(v) : String(v)}`)
      .join(", ");
    const stopAfter = typeof scenario.stop === "object" ? scenario.stop.after : undefined;
    const run = await runScript(
      t,
      (logDir) => [
        "import time",
        "from carbontracker.tracker import CarbonTracker",
        `tracker = CarbonTracker(${args}, log_dir=${JSON.stringify(logDir)})`,
        `for epoch in range(${scenario.epochs}):`,
        "    tracker.epoch_start(); time.sleep(0.3); tracker.epoch_end()",
        ...(stopAfter ? [`    if epoch + 1 == ${stopAfter}: break`] : []),
        ...(scenario.stop ? ["tracker.stop()"] : []),
      ],
      pythonEnv(fake ? { CARBONTRACKER_POWERCAP_ROOT: fake.root } : {}),
    );
    if (!run) return;
    assert.equal(run.code, 0, run.stderr);
    const original = (name: string) => readFileSync(join(folder, name), "utf8");
    const originalLog = (suffix: string) => logOf(folder, suffix);
    sameLines(normalise(run.stdout), normalise(original("stdout.txt")), "stdout");
    sameLines(
      normalise(logOf(run.logDir, "_carbontracker_output.log")),
      normalise(originalLog("_carbontracker_output.log")),
      "output log",
    );
    // The standard log: every line of the original's, in order (ours adds lines of its own).
    const ours = normalise(logOf(run.logDir, "_carbontracker.log"));
    let at = 0;
    for (const line of normalise(originalLog("_carbontracker.log"))) {
      const found = ours.indexOf(line, at);
      assert.ok(found >= 0, `standard log: "${line}" missing (after line ${at}):\n${ours.join("\n")}`);
      at = found + 1;
    }
  });
}
