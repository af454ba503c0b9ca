// The wrapped command starts as soon as the counters' baseline is read; the tracker's own start
// (logs, intensity, device details) happens while it runs. Its first epoch still covers the
// command from its launch, and a run the tracker refuses still fails before the command runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { cliEnv, runCli, tempDir } from "../helpers/cli-process.js";
import { runFilesIn } from "../faults/fault-kit.js";

const SIM = ["--sim-cpu", "Sim CPU", "--sim-cpu-tdp", "100"];

test("the first epoch starts at the baseline read before the command: it covers the command's whole run", async () => {
  const dir = tempDir();
  const run = await runCli(["--log_dir", dir, ...SIM, "sh", "-c", "date +%s%3N; sleep 0.3; date +%s%3N"]);
  assert.equal(run.code, 0, run.stderr);
  const [childStart, childEnd] = run.stdout.trim().split("\n").map(Number) as [number, number];
  const all = runFilesIn(dir).records;
  const epoch = all.find((r) => r.type === "epoch") as {
    start_t: number;
    end_t: number;
    energy_j: number;
    duration_s: number;
  };
  assert.ok(epoch.start_t <= childStart, `epoch starts at ${epoch.start_t}, the command at ${childStart}`);
  assert.ok(epoch.end_t >= childEnd, `epoch ends at ${epoch.end_t}, the command at ${childEnd}`);
  // 100 W TDP at the simulated 50 %: 50 W over the epoch, from its first millisecond.
  assert.ok(Math.abs(epoch.energy_j - 50 * epoch.duration_s) < 1e-6, JSON.stringify(epoch));
  assert.equal((all[0] as { type: string; t: number }).t, epoch.start_t, "the run starts at the baseline");
});

test("a run the tracker refuses (a component named in --components is missing) exits 2 before its command runs", async () => {
  const dir = tempDir();
  const marker = join(dir, "command-ran");
  const run = await runCli(
    ["--log_dir", join(dir, "logs"), "--components", "gpu", "sh", "-c", `touch ${marker}`],
    {
      env: cliEnv({
        CARBONTRACKER_NVML_LIBRARY: join(dir, "no-such-libnvidia-ml.so.1"),
        CARBONTRACKER_DRM_ROOT: join(dir, "no-drm"),
      }),
    },
  );
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /No GPU available to measure/);
  assert.equal(existsSync(marker), false, "the command must not have run");
});
