// The CLI with its sampler thread stuck in a driver call for good (a fake NVML whose energy call
// blocks far longer than the test): the run must still report, date its epoch at the command's
// end (not after the read's time-out) and exit with the command's code. Node joins every thread
// before a process ends, so without its own exit the CLI would wait for the call, and a SLURM job
// would hold its allocation until its time limit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { cliEnv, startCli, tempDir } from "../helpers/cli-process.js";
import { createFakeNvml, FAKE_A100 } from "../helpers/fake-nvml.js";

const GPU = FAKE_A100;

/** How long the hung call blocks: far past the test's own deadline. */
const HUNG_MS = 120_000;

test("a sampler stuck in a hung NVML call: the CLI reports, then exits with the command's code at once", async () => {
  const fake = createFakeNvml({ gpus: [GPU] });
  const { child, done } = startCli(
    ["--log_dir", tempDir(), "--components", "gpu", "sh", "-c", "sleep 2; exit 3"],
    {
      env: cliEnv({
        CARBONTRACKER_NVML_LIBRARY: fake.library,
        FAKE_NVML_CONFIG: process.env.FAKE_NVML_CONFIG as string,
      }),
    },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const detected = Date.now() + 20_000;
    while (!stderr.includes("The following components were found") && Date.now() < detected) await sleep(50);
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
    // The command's end waits 5 s for the worker, the stop 250 ms, the exit 2 s for the thread.
    assert.ok(Date.now() - started < 20_000, `exited ${Date.now() - started} ms after the hang`);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /WARNING - Reading the devices failed \(sampler worker did not answer/);
    assert.match(run.stderr, /Finished monitoring\./);
    assert.match(run.stderr, /a device read is stuck in its driver \(the sampler thread did not stop\)/);
    // The epoch is the command's 2 s, not 2 s plus the read's 5 s time-out.
    assert.match(run.stderr, /Time:\t0:00:0[23]\n/);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    fake.cleanup();
  }
});
