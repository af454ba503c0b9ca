// Disk faults: a log folder that cannot be written and a disk that fills up mid-run. One clear
// warning per cause; tracking, the child and the console output go on complete.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI, cliEnv, tempDir } from "../helpers/cli-process.js";
import { SIM, startGroup } from "./fault-kit.js";

const COMPLETE =
  /Actual consumption:\n\tTime:\t0:00:0\d\n\tEnergy:\t\d\.\d{12} kWh\n\tCO2eq:\t\d\.\d{12} g\n\tThis is equivalent to:\n\t\d\.\d{12} km travelled by car\n[\s\S]*Finished monitoring\.\n$/;

test("log folder not writable (under a regular file): one warning, the child and the output go on", async () => {
  const base = tempDir();
  writeFileSync(join(base, "a-file"), "");
  const run = startGroup([
    "--log_dir",
    join(base, "a-file", "logs"),
    ...SIM,
    "sh",
    "-c",
    "echo child-out; exit 4",
  ]);
  const { code } = await run.exited;
  assert.equal(code, 4, run.err());
  const warnings = run.err().match(/WARNING - Cannot write log file .*\(ENOTDIR\); tracking goes on/g) ?? [];
  assert.equal(warnings.length, 1, run.err());
  assert.equal(run.out(), "child-out\n");
  assert.match(run.err(), COMPLETE);
});

/** Runs the CLI with `--log_dir dir` on a 8 KiB tmpfs in a private mount namespace (root only). */
function onFullTmpfs(dir: string): ReturnType<typeof spawnSync> {
  const cli = [process.execPath, CLI, "--log_dir", dir, "--update-interval", "0.05", ...SIM.slice(0, 1)];
  const script = `mount -t tmpfs -o size=8k tmpfs "$1" && shift && exec "$@"`;
  return spawnSync(
    "unshare",
    ["-m", "sh", "-c", script, "sh", dir, ...cli, "Sim", "--sim-cpu-tdp", "100", "sleep", "1.5"],
    { env: cliEnv(), encoding: "utf8", timeout: 30_000 },
  );
}

const canMount =
  process.getuid?.() === 0 &&
  spawnSync("unshare", ["-m", "sh", "-c", `mount -t tmpfs -o size=8k tmpfs "${tempDir()}"`]).status === 0;

test(
  "disk full (an 8 KiB tmpfs): ENOSPC is one warning, the console output is complete",
  { skip: canMount ? false : "needs root to mount a tmpfs (see the RLIMIT_FSIZE case below)" },
  () => {
    const dir = tempDir();
    const run = onFullTmpfs(dir);
    assert.equal(run.status, 0, String(run.stderr));
    const out = String(run.stderr);
    assert.equal((out.match(/Cannot write log file .*\(ENOSPC\)/g) ?? []).length, 1, out);
    assert.match(out, COMPLETE);
  },
);

test("a size-limited file (RLIMIT_FSIZE 4 KiB, as prlimit sets it): EFBIG is one warning, output complete", () => {
  const dir = tempDir();
  mkdirSync(dir, { recursive: true });
  const run = spawnSync(
    "prlimit",
    ["--fsize=4096", process.execPath, CLI, "--log_dir", dir, "--update-interval", "0.05"].concat([
      "--sim-cpu",
      "Sim",
      "--sim-cpu-tdp",
      "100",
      "sleep",
      "1.5",
    ]),
    { env: cliEnv(), encoding: "utf8", timeout: 30_000 },
  );
  assert.equal(run.status, 0, run.stderr);
  assert.equal((run.stderr.match(/Cannot write log file .*\(EFBIG\)/g) ?? []).length, 1, run.stderr);
  assert.match(run.stderr, COMPLETE);
});
