// Tests never see the host's state: a location cached by an earlier real run of the tool (in the
// developer's `~/.cache/carbontracker`) once turned the expected 445 gCO2eq/kWh into GB's figure.
// The runner gives the whole run a temporary HOME, cache and TMPDIR; cliEnv gives each CLI run
// its own HOME and cache.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { locationCachePath } from "../../src/intensity/location/location-cache.js";
import { cliEnv, runCli, tempDir } from "./cli-process.js";

/** The runner's folder for this run (scripts/run-tests.mjs): TMPDIR is its `tmp`. */
const RUN_ROOT = dirname(realpathSync(tmpdir()));
const inRun = (path: string | undefined) =>
  path !== undefined && realpathSync(path).startsWith(`${RUN_ROOT}/`);

/** A HOME whose carbontracker cache holds a fresh GB location, as an online run leaves it. */
function poisonedHome(): string {
  const home = tempDir("ct-poisoned-home-");
  const cache = join(home, ".cache", "carbontracker");
  mkdirSync(cache, { recursive: true });
  const location = { country: "GB", description: "London, England, GB", method: "ip" };
  writeFileSync(locationCachePath(cache), JSON.stringify({ savedAtMs: Date.now(), location }));
  return home;
}

const RUN = ["--sim-cpu", "X", "--sim-cpu-tdp", "10", "--update-interval", "0.1", "true"];
const AVERAGE = /Average carbon intensity during training was (\d+\.\d\d) gCO2eq\/kWh/;

async function averageIntensity(env: NodeJS.ProcessEnv): Promise<string> {
  const run = await runCli(["--log_dir", join(tempDir(), "logs"), ...RUN], { env });
  assert.equal(run.code, 0, run.stderr);
  return AVERAGE.exec(run.stderr)?.[1] ?? `no average in: ${run.stderr}`;
}

test("the test runner gives the run a temporary HOME, XDG folders, carbontracker cache and TMPDIR", () => {
  assert.match(basename(RUN_ROOT), /^ct-test-run-/, `TMPDIR=${tmpdir()} is the run's own`);
  for (const name of ["HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "CARBONTRACKER_CACHE_DIR", "TMPDIR"]) {
    assert.ok(inRun(process.env[name]), `${name}=${process.env[name]} lies in ${RUN_ROOT}`);
  }
  assert.ok(inRun(homedir()), "the library's default cache (~/.cache/carbontracker) is a temporary one");
  assert.equal(process.env.ELECTRICITYMAPS_API_KEY, undefined, "no API key of the developer's shell");
});

test("a location cached in a HOME reaches a run that uses that HOME (the poison works)", async () => {
  const home = poisonedHome();
  const average = await averageIntensity({ ...cliEnv(), HOME: home });
  assert.notEqual(average, "445.00", "the cached GB location replaces the world average");
});

test("cliEnv never hands a CLI run the test process's HOME, cached location and all", async () => {
  const saved = process.env.HOME;
  process.env.HOME = poisonedHome();
  try {
    assert.equal(await averageIntensity(cliEnv()), "445.00");
  } finally {
    process.env.HOME = saved;
  }
});

test("a test that sets its own cache gets 445 g/kWh, whatever the HOME's cache holds", async () => {
  const env = { ...cliEnv(), HOME: poisonedHome(), CARBONTRACKER_CACHE_DIR: tempDir("ct-own-cache-") };
  assert.equal(await averageIntensity(env), "445.00");
});
