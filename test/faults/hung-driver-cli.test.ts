// The CLI with a driver call stuck for good (a fake NVML whose energy call blocks far longer than
// the test): the run must still report, date its epoch at the command's end (not after the
// read's time-out) and exit with the command's code. Through the NVML proxy (the default where
// it was built) the call is stuck in the proxy's process, which the CLI kills. Through a sampler
// thread (CARBONTRACKER_NVML_PROXY=0, or no C compiler at install), Node joins every thread
// before a process ends, so without its own exit the CLI would wait for the call, and a SLURM job
// would hold its allocation until its time limit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { cliEnv, startCli, tempDir } from "../helpers/cli-process.js";
import { createFakeNvml, FAKE_A100 } from "../helpers/fake-nvml.js";

const GPU = FAKE_A100;

/** Pids of NVML proxies started with this fake's config (found by their environment). */
function proxiesOf(config: string): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const command = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        return (
          command.includes("nvml-proxy") && readFileSync(`/proc/${pid}/environ`, "utf8").includes(config)
        );
      } catch {
        return false; // gone meanwhile, or not ours to read
      }
    })
    .map(Number);
}

/** How long the hung call blocks: far past the test's own deadline. */
const HUNG_MS = 120_000;

for (const via of ["the NVML proxy", "a sampler thread"] as const) {
  test(`a hung NVML call, through ${via}: the CLI reports, then exits with the command's code at once`, async () => {
    const fake = createFakeNvml({ gpus: [GPU] });
    const { child, done } = startCli(
      ["--log_dir", tempDir(), "--components", "gpu", "sh", "-c", "sleep 2; exit 3"],
      {
        env: cliEnv({
          CARBONTRACKER_NVML_LIBRARY: fake.library,
          FAKE_NVML_CONFIG: process.env.FAKE_NVML_CONFIG as string,
          ...(via === "a sampler thread" ? { CARBONTRACKER_NVML_PROXY: "0" } : {}),
        }),
      },
    );
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const detected = Date.now() + 20_000;
      while (!stderr.includes("The following components were found") && Date.now() < detected)
        await sleep(50);
      assert.match(stderr, /The following components were found: GPU/);
      fake.write({ gpus: [{ ...GPU, energySleepMs: HUNG_MS }] });
      const started = Date.now();
      const deadline = new AbortController();
      const run = await Promise.race([
        done,
        sleep(40_000, undefined, { signal: deadline.signal }).catch(() => undefined),
      ]);
      deadline.abort();
      assert.ok(run, `the CLI had not exited 40 s after its driver call hung:\n${stderr}`);
      // The command's end waits 5 s for the call, the stop 250 ms, the exit 2 s for a thread.
      assert.ok(Date.now() - started < 20_000, `exited ${Date.now() - started} ms after the hang`);
      assert.equal(run.code, 3, run.stderr);
      if (via === "the NVML proxy") {
        assert.match(
          run.stderr,
          /ERROR - GPU NVIDIA A100-SXM4-40GB, UUID GPU-6b8a1c2e-5f3d-4a09-9c1e-2d7f0b3a4e50, could not be read at \S+: nvmlDeviceGetTotalEnergyConsumption returned NVML_ERROR_TIMEOUT \(code 10\)/,
        );
        assert.doesNotMatch(run.stderr, /sampler thread did not stop/);
        // The proxy, stuck in the call, was killed: nothing of the run is left behind.
        assert.deepEqual(proxiesOf(process.env.FAKE_NVML_CONFIG as string), []);
      } else {
        assert.match(run.stderr, /WARNING - Reading the devices failed \(sampler worker did not answer/);
        assert.match(run.stderr, /a device read is stuck in its driver \(the sampler thread did not stop\)/);
      }
      assert.match(run.stderr, /Finished monitoring\./);
      // The epoch is the command's 2 s, not 2 s plus the read's 5 s time-out.
      assert.match(run.stderr, /Time:\t0:00:0[23]\n/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      fake.cleanup();
    }
  });
}
