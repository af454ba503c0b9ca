// The sample recorder (src/native/sample-recorder.c, built by `npm install`) reads files every
// interval into its ring; SampleRecorder.take hands back what each read got, and the readers parse
// those bytes as if they had read the files themselves. These run the real binary on real files.
import { test } from "node:test";
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  SampleRecorder,
  SampleRecorderError,
  type RecordedSample,
} from "../../src/sampling/sample-recorder.js";
import { replayRecorded, traceRecordableReads } from "../../src/hardware/recorded-reads.js";
import { openTextFile } from "../../src/hardware/read-text.js";
import { tempDir } from "../helpers/cli-process.js";
import { recorderBinary } from "../helpers/sample-recorder-kit.js";
import { createFakeNvml, FAKE_A100 } from "../helpers/fake-nvml.js";

const text = (sample: RecordedSample, path: string): string => {
  const read = sample.reads.get(path);
  if (read === undefined || "errno" in read) return `error ${read === undefined ? "none" : read.errno}`;
  return Buffer.from(read.bytes.subarray(0, read.length)).toString("utf8");
};

test("the recorder reads each file every interval; take() returns each sample once, oldest first", async () => {
  const dir = tempDir();
  const counter = join(dir, "energy_uj");
  const stat = join(dir, "stat");
  writeFileSync(counter, "1000\n");
  writeFileSync(stat, "cpu  10 0 5 100 0 0 0 0 0 0\ncpu0 10 0 5 100 0 0 0 0 0 0\n");
  const recorder = SampleRecorder.start({
    binary: recorderBinary(),
    intervalMs: 100,
    slots: 8,
    files: [
      { path: counter, headBytes: undefined },
      { path: stat, headBytes: 16 },
    ],
  });
  try {
    await sleep(450);
    const first = recorder.take();
    assert.ok(first.length >= 3 && first.length <= 5, `${first.length} samples in 450 ms at 100 ms`);
    for (const sample of first) {
      assert.equal(text(sample, counter), "1000\n");
      assert.equal(text(sample, stat), "cpu  10 0 5 100 ", "the head of /proc/stat, 16 bytes");
    }
    const gaps = first.slice(1).map((s, i) => s.tMs - (first[i] as RecordedSample).tMs);
    assert.ok(
      gaps.every((gap) => gap > 80 && gap < 120),
      `samples 100 ms apart: ${gaps.map((g) => g.toFixed(1)).join(", ")}`,
    );
    const firstLastMs = (first.at(-1) as RecordedSample).tMs;
    assert.ok(Math.abs(firstLastMs - Date.now()) < 150, "dated by the wall clock");

    // A file replaced (a fake tree written anew) is read anew; one deleted records its errno.
    writeFileSync(`${counter}.new`, "2500\n");
    rmSync(counter);
    writeFileSync(counter, "2500\n");
    rmSync(stat);
    await sleep(250);
    const second = recorder.take();
    assert.ok(second.length >= 2, `${second.length} samples in 250 ms`);
    // A take's samples are the ring's slots, read anew by the next take: their dates are kept.
    assert.ok((second[0] as RecordedSample).tMs > firstLastMs, "none taken twice");
    const last = second.at(-1) as RecordedSample;
    assert.equal(text(last, counter), "2500\n");
    assert.equal(text(last, stat), "error 2", "ENOENT");
  } finally {
    recorder.close();
  }
});

/** A recorder of one counter file, every 50 ms into a ring of 4 slots. */
function oneFileRecorder(): SampleRecorder {
  const file = join(tempDir(), "energy_uj");
  writeFileSync(file, "7\n");
  return SampleRecorder.start({
    binary: recorderBinary(),
    intervalMs: 50,
    slots: 4,
    files: [{ path: file, headBytes: undefined }],
  });
}

test("a ring not read for longer than it holds loses the oldest samples, never mixes them", async () => {
  const recorder = oneFileRecorder();
  try {
    await sleep(600);
    const taken = recorder.take();
    assert.equal(taken.length, 4, "the ring's 4 slots, the newest samples");
    const times = taken.map((s) => s.tMs);
    assert.deepEqual(
      [...times].sort((a, b) => a - b),
      times,
    );
    assert.ok(Date.now() - (times[0] as number) < 300, "the oldest kept is from the last 4 intervals");

    // Taken again before the ring goes round: the samples since, none twice and none skipped.
    await sleep(130);
    const next = recorder.take();
    assert.ok(next.length >= 1 && next.length <= 3, `${next.length} samples in 130 ms at 50 ms`);
    const gap = (next[0] as RecordedSample).tMs - (times.at(-1) as number);
    const nextLastMs = (next.at(-1) as RecordedSample).tMs;
    assert.ok(gap > 30 && gap < 80, `the next sample follows the last one taken: ${gap.toFixed(1)} ms later`);

    // Round again after a take: the newest 4 again, in order.
    await sleep(600);
    const lapped = recorder.take().map((s) => s.tMs);
    assert.equal(lapped.length, 4);
    assert.deepEqual(
      [...lapped].sort((a, b) => a - b),
      lapped,
    );
    assert.ok((lapped[0] as number) > nextLastMs + 300, "the lost samples are skipped");
  } finally {
    recorder.close();
  }
});

test("the recorder ends with close(), and leaves no ring file behind", async () => {
  const recorder = oneFileRecorder();
  const pid = recorder.pid as number;
  await sleep(100);
  assert.match(readFileSync(`/proc/${pid}/cmdline`, "utf8"), /sample-recorder/);
  const rings = readdirSync(process.env.TMPDIR ?? "/tmp").filter((f) =>
    f.startsWith(`carbontracker-samples-${process.pid}-`),
  );
  assert.deepEqual(rings, [], "the ring is unlinked as soon as it is open");
  recorder.close();
  await sleep(200);
  assert.equal(existsSync(`/proc/${pid}`) && !/Z/.test(statusOf(pid)), false, "the recorder has ended");
  assert.equal(recorder.running, false);
});

function statusOf(pid: number): string {
  try {
    return /State:\s*(\S)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? "";
  } catch {
    return "";
  }
}

test("a replayed read is parsed by the file's own reader; a trace lists the files read", () => {
  const dir = tempDir();
  const path = join(dir, "energy_uj");
  writeFileSync(path, "123\n");
  const file = openTextFile(path);
  const traced = traceRecordableReads(() => file.read());
  assert.equal(traced.result, "123\n");
  assert.deepEqual(traced.files, [{ path, headBytes: undefined }]);
  const bytes = Buffer.from("456\n");
  const replayed = replayRecorded(
    { reads: new Map([[path, { bytes, length: 4, truncated: false }]]), nvmlPower: new Map() },
    () => file.read(),
  );
  assert.equal(replayed, "456\n", "the recorded bytes, not the file's");
  assert.throws(
    () =>
      replayRecorded({ reads: new Map([[path, { errno: 19 }]]), nvmlPower: new Map() }, () => file.read()),
    (error: NodeJS.ErrnoException) => error.code === "ENODEV",
  );
  const cut = replayRecorded(
    { reads: new Map([[path, { bytes, length: 4, truncated: true }]]), nvmlPower: new Map() },
    () => file.read(),
  );
  assert.equal(cut, "123\n", "a read cut short is made again, live");
  assert.equal(file.read(), "123\n", "outside a replay, the file");
  file.close();
});

test("a recorder that cannot start says so: no ring folder throws, a binary that cannot run ends it", async () => {
  const dir = tempDir();
  const file = join(dir, "energy_uj");
  writeFileSync(file, "7\n");
  const plan = { intervalMs: 50, slots: 4, files: [{ path: file, headBytes: undefined }] };
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = join(dir, "no-such-folder");
  try {
    assert.throws(() => SampleRecorder.start({ ...plan, binary: recorderBinary() }), SampleRecorderError);
  } finally {
    process.env.TMPDIR = saved;
  }
  let ended = false;
  const broken = SampleRecorder.start({
    ...plan,
    binary: join(dir, "no-such-recorder"),
    onExit: () => (ended = true),
  });
  await sleep(200);
  assert.equal(ended, true, "onExit is called: its caller samples itself");
  assert.equal(broken.running, false);
  assert.deepEqual(broken.take(), []);
  broken.close();
});

test("the recorder asks NVML for each GPU's power every interval: the return code, and the milliwatts", async () => {
  const lost = { ...FAKE_A100, uuid: "GPU-lost", powerRc: 15 };
  const fake = createFakeNvml({ gpus: [FAKE_A100, lost] });
  const counter = join(tempDir(), "energy_uj");
  writeFileSync(counter, "1000\n");
  let ended = false;
  const recorder = SampleRecorder.start({
    binary: recorderBinary(),
    intervalMs: 100,
    slots: 8,
    files: [{ path: counter, headBytes: undefined }],
    nvmlPower: [
      { library: fake.library, nvmlIndex: 0 },
      { library: fake.library, nvmlIndex: 1 },
    ],
    onExit: () => (ended = true),
  });
  try {
    await sleep(350);
    const before = recorder.take();
    assert.ok(before.length >= 2, `${before.length} samples in 350 ms at 100 ms`);
    for (const sample of before) {
      assert.equal(text(sample, counter), "1000\n", "files are read beside the GPUs");
      assert.deepEqual(sample.nvmlPower.get(0), { rc: 0, milliwatts: 250_000 });
      assert.equal(sample.nvmlPower.get(1)?.rc, 15, "GPU_IS_LOST, as NVML answered");
    }
    fake.write({ gpus: [{ ...FAKE_A100, powerMw: 300_000 }, lost] });
    await sleep(250);
    const after = recorder.take();
    assert.deepEqual(after.at(-1)?.nvmlPower.get(0), { rc: 0, milliwatts: 300_000 });
  } finally {
    recorder.close();
  }
  // The recorder leaves its loop at once, or after the call it is in (2 s at most, then SIGALRM).
  for (let waited = 0; waited < 3000 && fake.calls().length < 2; waited += 50) await sleep(50);
  assert.equal(ended, false, "closed, not ended by itself");
  assert.deepEqual(fake.calls(), ["nvmlInit_v2", "nvmlShutdown"], "SIGTERM shuts NVML down");

  // A GPU it cannot open (here: an index NVML does not count) ends it at once.
  const gpuOnly = (nvmlIndex: number, onExit?: () => void) =>
    SampleRecorder.start({
      binary: recorderBinary(),
      intervalMs: 100,
      slots: 8,
      files: [],
      nvmlPower: [{ library: fake.library, nvmlIndex }],
      onExit,
    });
  const unopened = gpuOnly(7, () => (ended = true));
  await sleep(300);
  assert.equal(ended, true, "onExit is called: its caller samples itself");
  assert.equal(unopened.running, false);
  unopened.close();

  // A driver call that does not return (here nvmlInit_v2, 10 s): SIGTERM ends it within 2 s.
  fake.write({ initSleepMs: 10_000, gpus: [FAKE_A100] });
  const stuck = gpuOnly(0);
  await sleep(300);
  const pid = stuck.pid as number;
  const closedAt = Date.now();
  stuck.close();
  const alive = () => {
    try {
      process.kill(pid, 0);
      return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
    } catch {
      return false;
    }
  };
  while (alive() && Date.now() - closedAt < 5000) await sleep(50);
  const tookMs = Date.now() - closedAt;
  assert.ok(tookMs < 3000, `the stuck recorder ended ${tookMs} ms after SIGTERM`);
  fake.cleanup();
});

test("the helpers' sources (the recorder, the NVML proxy) compile without a warning (npm install shows warnings but does not fail on them)", () => {
  for (const program of ["sample-recorder", "nvml-proxy"]) {
    const built = spawnSync(
      "cc",
      [
        "-O2",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-o",
        join(tempDir(), program),
        `src/native/${program}.c`,
        "-ldl",
      ],
      { encoding: "utf8" },
    );
    assert.equal(built.status, 0, built.stderr);
    assert.equal(built.stderr, "", program);
  }
});
