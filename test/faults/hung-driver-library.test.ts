// A Node program using the library, its sampler thread stuck in an NVML call for good (a lost GPU):
// once it is done, the program must still end, with its own exit code and its own 'exit'
// listeners run. Node joins every thread before a process ends, so without the tracker's exit
// past the stuck thread it would wait as long as the call, for ever.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { cliEnv, tempDir } from "../helpers/cli-process.js";
import { createFakeNvml, FAKE_A100, type FakeNvml } from "../helpers/fake-nvml.js";
import { watchChild, type WatchedChild } from "../helpers/watched-child.js";

const GPU = FAKE_A100;

/** How long the hung call blocks: far past the test's own deadline. */
const HUNG_MS = 120_000;

/**
 * Runs the training script on a fresh fake NVML until its first epoch has started, then `body`
 * with both; the script is killed and the fake removed afterwards, whatever happened.
 */
async function withTraining(body: (run: WatchedChild, fake: FakeNvml) => Promise<void>): Promise<void> {
  const fake = createFakeNvml({ gpus: [GPU] });
  const run = watchChild(
    spawn(process.execPath, ["test/fixtures/hung-gpu-training.mjs", tempDir()], {
      env: cliEnv({
        CARBONTRACKER_NVML_LIBRARY: fake.library,
        FAKE_NVML_CONFIG: process.env.FAKE_NVML_CONFIG as string,
      }),
    }),
  );
  try {
    assert.ok(await run.printed("started", 20_000), run.stderr());
    await body(run, fake);
  } finally {
    run.kill();
    fake.cleanup();
  }
}

test("a library user's process with a sampler stuck in NVML ends 2 s after stop(), with its exit code", () =>
  withTraining(async (run, fake) => {
    fake.write({ gpus: [{ ...GPU, energySleepMs: HUNG_MS }] });
    await sleep(500); // samples read power only: the counter read at the epoch's end will hang
    const hung = Date.now();
    run.child.stdin.end("go\n");
    const deadline = new AbortController();
    const end = await Promise.race([
      run.exited,
      sleep(40_000, undefined, { signal: deadline.signal }).catch(() => undefined),
    ]);
    deadline.abort();
    assert.ok(
      end,
      `the program had not ended 40 s after its driver call hung:\n${run.stdout()}\n${run.stderr()}`,
    );
    // The epoch's end waits 5 s for the worker, the stop 250 ms, the exit 2 s for the thread.
    assert.ok(Date.now() - hung < 20_000, `ended ${Date.now() - hung} ms after the hang`);
    assert.deepEqual(end, [4, null], run.stderr());
    assert.match(run.stdout(), /^stopped$/m);
    assert.match(run.stdout(), /^the script's exit listener ran \(code 4\)$/m);
    assert.match(run.stderr(), /WARNING - Reading the devices failed \(sampler worker did not answer/);
    assert.match(run.stderr(), /Finished monitoring\./);
    assert.match(run.stderr(), /a device read is stuck in its driver \(the sampler thread did not stop\)/);
  }));

test("a library user's process whose sampler is not stuck ends as Node ends it, with no word about threads", () =>
  withTraining(async (run) => {
    const asked = Date.now();
    run.child.stdin.end("go\n");
    assert.deepEqual(await run.exited, [4, null], run.stderr());
    assert.ok(Date.now() - asked < 2_000, `ended ${Date.now() - asked} ms after being told to`);
    assert.match(run.stdout(), /^the script's exit listener ran \(code 4\)$/m);
    assert.doesNotMatch(run.stderr(), /stuck in its driver/);
  }));

// The driver holds one call for 6.5 s, past the boundary's 5 s and the stop's 250 ms, and then
// answers: the worker, told to stop meanwhile, is terminated when the call returns and never
// clears its busy flag. Its thread is gone, though, so the exit does not count it as stuck.
test("a driver call that hangs for seconds and then returns: the process ends as Node ends it, with no word about threads", () =>
  withTraining(async (run, fake) => {
    fake.write({ gpus: [{ ...GPU, energySleepMs: 6_500 }] });
    await sleep(500); // samples read power only: the counter read at the epoch's end is the slow call
    run.child.stdin.end("go\n");
    assert.deepEqual(await run.exited, [4, null], run.stderr());
    assert.match(run.stderr(), /WARNING - Reading the devices failed \(sampler worker did not answer/);
    assert.match(run.stdout(), /^the script's exit listener ran \(code 4\)$/m);
    assert.doesNotMatch(run.stderr(), /stuck in its driver/);
  }));
