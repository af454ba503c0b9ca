// A Python training whose GPU driver hangs for good mid-epoch (a fake NVML whose energy call blocks
// far longer than the test): the script finishes with its epoch reported, and its engine process
// ends too instead of staying behind stuck in the driver call (the call is stuck in the engine's
// NVML proxy, which it kills; a sampler thread it would have had to leave behind, as Node joins
// every thread before a process ends).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createFakeNvml, FAKE_A100 } from "../helpers/fake-nvml.js";
import { watchChild } from "../helpers/watched-child.js";
import { FIXTURES, enginePids, pythonEnv, pythonFor, tempFolder } from "./python-kit.js";

const GPU = FAKE_A100;

test("a GPU driver hung for good: the Python script ends and so does its engine, within seconds", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const fake = createFakeNvml({ gpus: [GPU] });
  t.after(() => fake.cleanup());
  const marker = `CT_TEST_MARK=${randomUUID()}`;
  const [name, value] = marker.split("=") as [string, string];
  const run = watchChild(
    spawn(python, [join(FIXTURES, "hung_gpu.py"), join(tempFolder(t), "logs")], {
      env: pythonEnv({
        [name]: value,
        CARBONTRACKER_NVML_LIBRARY: fake.library,
        FAKE_NVML_CONFIG: process.env.FAKE_NVML_CONFIG as string,
      }),
    }),
  );
  t.after(() => run.kill());
  assert.ok(await run.printed("started", 30_000), run.stderr());
  const engines = enginePids(marker);
  assert.equal(engines.length, 1, `engines: ${engines.join(", ")}`);

  fake.write({ gpus: [{ ...GPU, energySleepMs: 120_000 }] });
  await sleep(500); // samples read power only: the counter read at the epoch's end will hang
  const hung = Date.now();
  run.child.stdin.end("go\n");
  assert.deepEqual(await run.exited, [0, null], run.stderr());
  assert.match(run.stdout(), /^stopped$/m);
  const output = run.stdout() + run.stderr();
  // The engine asks NVML through its proxy: the call stuck there times out, the GPU says so.
  assert.match(
    output,
    /ERROR - GPU NVIDIA A100-SXM4-40GB, UUID \S+, could not be read at \S+: nvmlDeviceGetTotalEnergyConsumption returned NVML_ERROR_TIMEOUT \(code 10\)/,
  );
  assert.match(output, /Finished monitoring\./);
  // The epoch's end waits 5 s for the call, the stop 250 ms.
  while (enginePids(marker).length > 0 && Date.now() - hung < 20_000) await sleep(100);
  assert.deepEqual(
    enginePids(marker),
    [],
    `the engine was still there ${Date.now() - hung} ms after the hang`,
  );
});
