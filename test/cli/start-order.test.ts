// The wrapped command starts as soon as the counters' baseline is read; the tracker's own start
// (logs, intensity, device details) happens while it runs. Its first epoch still covers the
// command from its launch, and a run the tracker refuses still fails before the command runs.
// On a GPU machine (NVML) the command does not wait for the driver either: the GPU joins once
// the sampler thread has read it, its first epoch counted from the same baseline.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { cliEnv, runCli, tempDir } from "../helpers/cli-process.js";
import { createFakeNvml, FAKE_A100 } from "../helpers/fake-nvml.js";
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

/** A GPU at a constant 100 W whose counter stands still: any GPU energy is the joining span's. */
const STILL_GPU = { ...FAKE_A100, energyMj: 7_000_000, powerMw: 100_000 };
/** How long the fake driver's nvmlInit_v2 takes. */
const INIT_MS = 400;

/** Runs `sh -c <script>` under the CLI with the fake NVML; the script can append to its call log. */
async function runWithSlowDriver(flags: string[], script: (callLog: string) => string) {
  const fake = createFakeNvml({ initSleepMs: INIT_MS, gpus: [STILL_GPU] });
  try {
    const dir = tempDir();
    const run = await runCli(
      ["--log_dir", dir, ...SIM, ...flags, "sh", "-c", script(join(fake.dir, "calls.log"))],
      {
        env: cliEnv({
          CARBONTRACKER_NVML_LIBRARY: fake.library,
          FAKE_NVML_CONFIG: process.env.FAKE_NVML_CONFIG as string,
        }),
      },
    );
    return { run, calls: fake.calls(), records: runFilesIn(dir).records };
  } finally {
    fake.cleanup();
  }
}

test("a GPU machine: the command starts before NVML is initialised, and the GPU's first epoch counts from the baseline", async () => {
  const { run, calls, records } = await runWithSlowDriver(
    [],
    (log) => `echo command-started >> ${log}; sleep 1`,
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stderr,
    /The following components were found: GPU with device\(s\) NVIDIA A100-SXM4-40GB\. CPU/,
  );
  const started = calls.indexOf("command-started");
  assert.ok(started >= 0 && started < calls.indexOf("nvmlInit_v2"), `calls in order: ${calls.join(", ")}`);
  const epoch = records.find((r) => r.type === "epoch") as {
    duration_s: number;
    devices: { component: string; energy_j: number; provenance: string }[];
  };
  const gpu = epoch.devices.find((d) => d.component === "gpu");
  const cpu = epoch.devices.find((d) => d.component === "cpu");
  // The counter stood still: the GPU's energy is the span from the baseline to its first
  // reading (after the driver's 400 ms init) at that reading's 100 W, and no more than the epoch.
  assert.equal(gpu?.provenance, "counter");
  assert.ok(
    (gpu?.energy_j ?? 0) >= (100 * INIT_MS) / 1000 && (gpu?.energy_j ?? 0) <= 100 * epoch.duration_s,
    JSON.stringify(epoch),
  );
  // The CPU (simulated 50 W) is read from the same baseline as before: exact over the epoch.
  assert.ok(Math.abs((cpu?.energy_j ?? 0) - 50 * epoch.duration_s) < 1e-6, JSON.stringify(epoch));
});

test("a GPU machine with --components named: the command waits for every device, the GPU's counter included", async () => {
  const { run, calls, records } = await runWithSlowDriver(
    ["--components", "cpu,gpu"],
    (log) => `echo command-started >> ${log}`,
  );
  assert.equal(run.code, 0, run.stderr);
  const init = calls.indexOf("nvmlInit_v2");
  assert.ok(init >= 0 && init < calls.indexOf("command-started"), `calls in order: ${calls.join(", ")}`);
  const epoch = records.find((r) => r.type === "epoch") as {
    devices: { component: string; energy_j: number }[];
  };
  // Both ends of the epoch read the standing counter: no span is counted at the sampled power.
  assert.equal(epoch.devices.find((d) => d.component === "gpu")?.energy_j, 0);
});
