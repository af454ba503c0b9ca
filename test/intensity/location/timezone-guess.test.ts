// The system time zone, read from TZ or the /etc/localtime link without ICU (whose first use
// costs every run some 15 ms of CPU and 9 MB), must name the zone exactly as ICU would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { systemTimeZone } from "../../../src/intensity/location/timezone-guess.js";
import { tempDir } from "../../helpers/cli-process.js";

const BUILT = pathToFileURL(resolve("dist/src/intensity/location/timezone-guess.js")).href;

/** What `code` prints in a fresh Node whose TZ is `tz`. */
function inProcessWithTz(tz: string, code: string): string {
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", code], {
    env: { PATH: process.env.PATH, TZ: tz },
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

test("TZ names the zone as ICU does: UTC's aliases, CLDR's older names, links ICU resolves", () => {
  for (const tz of [
    "UTC",
    "Etc/UTC",
    "GMT",
    ":Europe/Copenhagen",
    "Europe/Copenhagen",
    "Asia/Kolkata",
    "America/Argentina/Buenos_Aires",
    "US/Pacific",
    "Not/AZone",
  ]) {
    const ours = inProcessWithTz(
      tz,
      `const { systemTimeZone } = await import(${JSON.stringify(BUILT)}); process.stdout.write(String(systemTimeZone()));`,
    );
    const icu = inProcessWithTz(
      tz,
      "process.stdout.write(String(Intl.DateTimeFormat().resolvedOptions().timeZone))",
    );
    assert.equal(ours, icu, `TZ=${tz}`);
  }
});

test("without TZ, the /etc/localtime link names the zone (zone.tab says it is one)", () => {
  const dir = tempDir();
  const zoneTab = join(dir, "zone.tab");
  writeFileSync(zoneTab, "# tz zone descriptions\nDE\t+5230+01322\tEurope/Berlin\n");
  const berlin = join(dir, "localtime-berlin");
  symlinkSync("../usr/share/zoneinfo/Europe/Berlin", berlin);
  assert.equal(systemTimeZone({}, berlin, zoneTab), "Europe/Berlin");
  const utc = join(dir, "localtime-utc");
  symlinkSync("/usr/share/zoneinfo/Etc/UTC", utc);
  assert.equal(systemTimeZone({}, utc, zoneTab), "UTC");
});
