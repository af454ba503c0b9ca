// Issue #15: where no location is known, the console says so once, beside the default figure's
// warning, with what failed and the option that fixes it (it used to say it twice). The
// original 2.4.3's sentence stays intact (a grep of it finds ours); what we add is a line after it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { cliEnv, runCli, tempDir } from "../helpers/cli-process.js";

async function warningsWith(timeZone: string): Promise<string[]> {
  const dir = tempDir();
  const run = await runCli(["--log_dir", dir, "--sim-cpu", "cpu", "--sim-cpu-tdp", "10", "true"], {
    env: cliEnv({ TZ: timeZone, CARBONTRACKER_CACHE_DIR: join(dir, "cache") }),
  });
  assert.equal(run.code, 0, run.stderr);
  // The figure's age is a separate fact (a second warning once the embedded year is over 2 years old);
  // "No API keys provided" is the original CLI's first line, whatever the location.
  return run.stderr
    .split("\n")
    .filter(
      (l) => l.includes("WARNING - ") && !l.includes("years old") && !l.includes("No API keys provided"),
    );
}

test("offline, a time zone that names no country: the original's warning intact, then ours with the source, the reason and the fix", async () => {
  const warnings = await warningsWith("UTC");
  assert.deepEqual(warnings, [
    "CarbonTracker: WARNING - No carbon intensity provider specified and no location detected. Defaulting to global average carbon intensity for 2024: 445.00 gCO2eq/kWh.",
    "CarbonTracker: WARNING - The default 445.00 gCO2eq/kWh is the IEA 2024 world average, as carbontracker 2.4. Location: offline (CARBONTRACKER_OFFLINE=1), and the time zone (UTC) names no country; set --country or CARBONTRACKER_COUNTRY.",
  ]);
});

test("offline, a time zone that names a country: one warning that calls the location a guess", async () => {
  const warnings = await warningsWith("Europe/Copenhagen");
  assert.equal(warnings.length, 1, warnings.join("\n"));
  assert.match(
    warnings[0] ?? "",
    /^CarbonTracker: WARNING - Defaulted to average carbon intensity for DK in \d{4} of [\d.]+ gCO2eq\/kWh \(.*\)\. Location DK \(guessed from time zone Europe\/Copenhagen\): a guess \(offline \(CARBONTRACKER_OFFLINE=1\)\); set --country or CARBONTRACKER_COUNTRY to be sure\.$/,
  );
});
