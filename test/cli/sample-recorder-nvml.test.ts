// A tracked run on an NVIDIA GPU leaves its background power calls to the sample recorder too:
// the recorder loads the same NVML library and asks each GPU's power every second, and the CLI
// wakes once a batch to parse them with its own NVML reader (over its NVML proxy). The energy counter
// is read by the CLI alone (at boundaries, and when its anchor is due), so the epoch's energy is
// still exact. Without the recorder, or once it died, the CLI samples itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { cliEnv, startCli, tempDir } from "../helpers/cli-process.js";
import { createFakeNvml, FAKE_A100, type FakeGpu } from "../helpers/fake-nvml.js";
import { runFilesIn } from "../faults/fault-kit.js";
import { childrenNamed } from "../helpers/proc-children.js";
import { assertSamplingResumed, killRecorderOf } from "../helpers/sample-recorder-kit.js";

interface Sample {
  type: "sample";
  t: number;
  power_w: number | null;
  energy_j: number;
}

interface Epoch {
  energy_j: number;
  start_t: number;
  end_t: number;
}

/** The A100 measured from its counter; SAMPLED_GPU has none, so its energy is its sampled power. */
const COUNTER_GPU: FakeGpu = FAKE_A100;
const SAMPLED_GPU: FakeGpu = { ...FAKE_A100, energyRc: 3 };

/**
 * Runs `sleep <seconds>` under the CLI on one fake GPU at 250 W. At `changeAtMs` the GPU draws
 * 300 W and its counter has moved 1000 J; `during` runs at 11.5 s, once the recorder has started
 * (with the sample that closes the first batch, 10 s in).
 */
async function trackedGpu(
  gpu: FakeGpu,
  options: { seconds: number; changeAtMs: number; env?: Record<string, string> },
  during: (cliPid: number) => void = () => {},
) {
  const fake = createFakeNvml({ gpus: [gpu] });
  const dir = tempDir();
  try {
    const { child, done } = startCli(
      ["--log_dir", dir, "--components", "gpu", "sleep", String(options.seconds)],
      {
        env: cliEnv({
          CARBONTRACKER_NVML_LIBRARY: fake.library,
          FAKE_NVML_CONFIG: process.env.FAKE_NVML_CONFIG as string,
          ...options.env,
        }),
      },
    );
    await sleep(11_500);
    during(child.pid as number);
    await sleep(options.changeAtMs - 11_500);
    const changedAt = Date.now();
    fake.write({ gpus: [{ ...gpu, powerMw: 300_000, energyMj: Number(gpu.energyMj) + 1_000_000 }] });
    const run = await done;
    assert.equal(run.code, 0, run.stderr);
    const records = runFilesIn(dir).records;
    return {
      changedAt,
      samples: records.filter((r) => r.type === "sample") as unknown as Sample[],
      epoch: records.find((r) => r.type === "epoch") as unknown as Epoch,
      calls: fake.calls(),
    };
  } finally {
    fake.cleanup();
  }
}

/** Each sample holds the power the GPU drew at its date: 250 W before the change, 300 W after it. */
function assertSamplesFollowPower(samples: Sample[], changedAt: number): void {
  // The fake's new config is read at the first call after it was written: up to 50 ms later on a
  // loaded machine; samples that close to the change may show either.
  for (const sample of samples) {
    if (Math.abs(sample.t - changedAt) < 50) continue;
    const expected = sample.t < changedAt ? 250 : 300;
    assert.equal(sample.power_w, expected, `sample at ${sample.t - changedAt} ms from the change`);
  }
}

test("a GPU run's power samples come from the sample recorder; the epoch's energy is the counter's", async () => {
  let recorders: number[] = [];
  let proxies: number[] = [];
  const { changedAt, samples, epoch, calls } = await trackedGpu(
    COUNTER_GPU,
    { seconds: 16, changeAtMs: 13_000 },
    (cli) => {
      recorders = childrenNamed(cli, "sample-recorder");
      proxies = childrenNamed(cli, "nvml-proxy");
    },
  );
  assert.equal(recorders.length, 1, "ps shows one sample-recorder under the CLI");
  assert.equal(proxies.length, 1, "and one nvml-proxy");
  assert.ok(samples.length >= 15, `${samples.length} samples in 16 s`);
  assertSamplesFollowPower(samples, changedAt);
  assert.ok(
    samples.some((s) => s.t > changedAt + 1000 && s.power_w === 300),
    "samples after the change",
  );
  assert.equal(epoch.energy_j, 1000, "the counter moved 1,000,000 mJ over the epoch");
  // The CLI's NVML proxy and the recorder each initialise NVML, and each shuts it down.
  assert.deepEqual(
    [...calls].sort(),
    ["nvmlInit_v2", "nvmlInit_v2", "nvmlShutdown", "nvmlShutdown"],
    `NVML calls: ${calls.join(", ")}`,
  );
});

test("a GPU without an energy counter: its recorded power makes its energy, as the CLI's own samples do", async () => {
  const seconds = 16;
  const recorded = await trackedGpu(SAMPLED_GPU, { seconds, changeAtMs: 13_000 });
  const own = await trackedGpu(SAMPLED_GPU, {
    seconds,
    changeAtMs: 13_000,
    env: { CARBONTRACKER_SAMPLE_RECORDER: "0" },
  });
  for (const run of [recorded, own]) {
    assertSamplesFollowPower(run.samples, run.changedAt);
    const start = run.epoch.start_t;
    // 250 W until the change, 300 W after: within a second's worth of the difference (50 J), as
    // a sampled integral holds each power until the next sample.
    const expected = (250 * (run.changedAt - start) + 300 * (run.epoch.end_t - run.changedAt)) / 1000;
    assert.ok(
      Math.abs(run.epoch.energy_j - expected) <= 50,
      `${run.epoch.energy_j} J over the epoch, ${expected.toFixed(1)} J drawn`,
    );
  }
});

test("a GPU run's recorder killed mid-run: the CLI samples itself from then on", async () => {
  let killedAt = 0;
  const { changedAt, samples, epoch } = await trackedGpu(
    COUNTER_GPU,
    { seconds: 23, changeAtMs: 16_000 },
    (cli) => (killedAt = killRecorderOf(cli)),
  );
  assertSamplingResumed(samples, killedAt, 9);
  assertSamplesFollowPower(samples, changedAt);
  assert.equal(epoch.energy_j, 1000);
});
