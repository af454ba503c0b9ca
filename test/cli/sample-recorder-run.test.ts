// A tracked run reading files (RAPL here) leaves its background samples to the sample recorder,
// a child process that `ps` shows beside the command, and wakes once a batch; the samples and the
// energy are those of the CLI's own reads. Without the recorder (CARBONTRACKER_SAMPLE_RECORDER=0,
// or a recorder that died) the CLI samples itself, and nothing is lost either way.
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { cliEnv, startCli, tempDir } from "../helpers/cli-process.js";
import { singlePackageLayout, spawnFakePowercap, type FakeHistory } from "../helpers/fake-powercap.js";
import { runFilesIn } from "../faults/fault-kit.js";
import { childrenNamed } from "../helpers/proc-children.js";
import { assertSamplingResumed, killRecorderOf } from "../helpers/sample-recorder-kit.js";

interface Epoch {
  energy_j: number;
  start_t: number;
  end_t: number;
}

interface Sample {
  type: "sample";
  t: number;
  energy_j: number;
}

/**
 * When a test looks for the recorder (ms into the run): it starts with the sample that closes the
 * first batch, 10 s in (recorderStartMs).
 */
const RECORDER_UP_MS = 11_500;

/** Runs `sleep <seconds>` under the CLI on a fake RAPL package at 100 W; `during` runs at `duringMs`. */
function trackedSleep(
  seconds: number,
  env: Record<string, string>,
  during: (cliPid: number) => void,
  duringMs = RECORDER_UP_MS,
) {
  return tracked(["sleep", String(seconds)], env, during, duringMs);
}

/** Runs `command` under the CLI on a fake RAPL package at 100 W; `during` runs at `duringMs`. */
async function tracked(
  command: string[],
  env: Record<string, string>,
  during: (cliPid: number) => void,
  duringMs = RECORDER_UP_MS,
) {
  const rapl = await spawnFakePowercap(singlePackageLayout({ kind: "constant", watts: 100 }), {
    inPlace: true,
  });
  const dir = tempDir();
  try {
    const { child, done } = startCli(["--log_dir", dir, "--components", "cpu", ...command], {
      env: cliEnv({ CARBONTRACKER_POWERCAP_ROOT: rapl.root, ...env }),
    });
    await sleep(duringMs);
    during(child.pid as number);
    const run = await done;
    assert.equal(run.code, 0, run.stderr);
    const records = runFilesIn(dir).records;
    const start = records.find((r) => r.type === "start") as { t: number };
    const samples = records.filter((r) => r.type === "sample") as unknown as Sample[];
    const epochs = records.filter((r) => r.type === "epoch") as unknown as Epoch[];
    const epoch = epochs[0] as Epoch;
    const history = await rapl.stop();
    return { start, samples, epoch, epochs, history };
  } catch (error) {
    await rapl.stop();
    throw error;
  }
}

/**
 * Every sample holds what the fake's counter moved from the start to its date: within 10 J (0.1 s
 * at 100 W, a read delayed on a loaded machine), where a sample misread or misdated by a second
 * would be 100 J off.
 */
function assertSamplesFollowCounter(samples: Sample[], startT: number, history: FakeHistory): void {
  const times = samples.map((s) => s.t);
  assert.deepEqual(
    [...new Set(times)].sort((a, b) => a - b),
    times,
    "one sample per instant, in order",
  );
  // What the counter can have moved by between two reads: a read may see a value the fake's
  // driver wrote but had not recorded yet, a whole tick when a loaded machine delays it.
  for (const sample of samples) {
    const [low, high] = history.injectedRangeJ("intel-rapl:0", startT, sample.t);
    assert.ok(
      sample.energy_j > low - 10 && sample.energy_j < high + 10,
      `${sample.energy_j} J at +${sample.t - startT} ms, the counter moved ${low.toFixed(1)}..${high.toFixed(1)} J`,
    );
  }
}

/** The epoch's energy is what the counter moved over it (boundaries are read live, by the CLI). */
function assertEpochFollowsCounter(epoch: Epoch, history: FakeHistory): void {
  const [low, high] = history.injectedRangeJ("intel-rapl:0", epoch.start_t, epoch.end_t);
  assert.ok(
    epoch.energy_j > low - 10 && epoch.energy_j < high + 10,
    `${JSON.stringify(epoch)}, the counter moved ${low}..${high} J`,
  );
}

test("a RAPL run's samples come from the sample recorder, a child of the CLI, with the CLI's own figures", async () => {
  let recorders: number[] = [];
  const { start, samples, epoch, history } = await trackedSleep(14, {}, (cli) => {
    recorders = childrenNamed(cli, "sample-recorder");
  });
  assert.equal(recorders.length, 1, "ps shows one sample-recorder under the CLI");
  assert.ok(samples.length >= 13, `${samples.length} samples in 14 s`);
  assertSamplesFollowCounter(samples, start.t, history);
  assertEpochFollowsCounter(epoch, history);
});

test("CARBONTRACKER_SAMPLE_RECORDER=0: no recorder, the CLI samples itself, the same figures", async () => {
  let recorders: number[] = [1];
  const { start, samples, epoch, history } = await trackedSleep(
    12.5,
    { CARBONTRACKER_SAMPLE_RECORDER: "0" },
    (cli) => {
      recorders = childrenNamed(cli, "sample-recorder");
    },
  );
  assert.deepEqual(recorders, []);
  assert.ok(samples.length >= 11, `${samples.length} samples in 12.5 s`);
  assertSamplesFollowCounter(samples, start.t, history);
  assertEpochFollowsCounter(epoch, history);
});

test("a recorder killed mid-run: the CLI samples itself from then on, and the run's figures hold", async () => {
  let killedAt = 0;
  const { start, samples, epoch, history } = await trackedSleep(
    22,
    {},
    (cli) => (killedAt = killRecorderOf(cli)),
  );
  // The CLI learns at once that its recorder has gone, and samples every second again (10.5 s left).
  assertSamplingResumed(samples, killedAt, 9);
  assertSamplesFollowCounter(samples, start.t, history);
  assertEpochFollowsCounter(epoch, history);
});

test("epochs marked over the socket while the recorder samples: each epoch's energy is the counter's", async () => {
  let recorders: number[] = [];
  const script = resolve("test/cli/fixtures/train.py");
  const { start, samples, epochs, history } = await tracked(
    ["--epochs", "3", "python3", script, "3", "5"],
    {},
    (cli) => {
      recorders = childrenNamed(cli, "sample-recorder");
    },
  );
  assert.equal(recorders.length, 1, "ps shows one sample-recorder under the CLI");
  assert.equal(epochs.length, 3);
  for (const epoch of epochs) assertEpochFollowsCounter(epoch, history);
  assertSamplesFollowCounter(samples, start.t, history);
  // Recorded samples reach the JSONL in order with the boundaries: each epoch's samples lie within it.
  for (const epoch of epochs.slice(1)) {
    const inside = samples.filter((s) => s.t > epoch.start_t && s.t < epoch.end_t);
    assert.ok(inside.length >= 1, `samples inside epoch ${JSON.stringify(epoch)}`);
  }
});

test("a run shorter than a batch never starts a recorder: its start would cost more than it saves", async () => {
  let recorders: number[] = [1];
  const { samples } = await trackedSleep(
    5,
    {},
    (cli) => {
      recorders = childrenNamed(cli, "sample-recorder");
    },
    4500,
  );
  assert.deepEqual(recorders, [], "no sample-recorder under the CLI 4.5 s in");
  assert.ok(samples.length >= 4, `${samples.length} samples in 5 s, all the CLI's own`);
});
