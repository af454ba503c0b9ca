// Hardware faults under the real tracker and sampler worker, injected at the seam: a fake
// powercap tree whose files stall, go back, turn to garbage, vanish, lose their permission or
// hang; and a PowerReader (the hardware interface) that throws or goes back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import {
  chmodSync,
  chownSync,
  closeSync,
  constants,
  existsSync,
  openSync,
  realpathSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CarbonTracker } from "../../src/index.js";
import type { DeviceDescription, DeviceReading, PowerReader } from "../../src/hardware/types.js";
import { ReaderSet } from "../../src/sampling/reader-set.js";
import { FakePowercap, singlePackageLayout, twoSocketLayout } from "../helpers/fake-powercap.js";
import { CLI, cliEnv, tempDir } from "../helpers/cli-process.js";
import { runFilesIn } from "./fault-kit.js";

function console() {
  let text = "";
  return { write: (s: string) => void (text += s), text: () => text };
}

function tracker(root: string, dir: string, out: (s: string) => void, epochs = 2) {
  return new CarbonTracker({
    epochs,
    updateInterval: 0.1,
    logDir: dir,
    stdout: out,
    env: { CARBONTRACKER_OFFLINE: "1", CARBONTRACKER_POWERCAP_ROOT: root },
    components: "cpu",
  });
}

const energyFile = (fake: FakePowercap, zone = "intel-rapl:0") =>
  realpathSync(join(fake.root, zone, "energy_uj"));

test("counters that stall: epochs of 0 J, the run completes and says so in its logs", async () => {
  const fake = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 20 })); // never started
  const dir = tempDir();
  const out = console();
  const t = tracker(fake.root, dir, out.write);
  try {
    for (let i = 0; i < 2; i++) {
      t.epochStart();
      await sleep(150);
      await t.epochEnd();
    }
    const files = runFilesIn(dir);
    assert.deepEqual(
      files.records.filter((r) => r.type === "epoch").map((r) => r.energy_j),
      [0, 0],
    );
    assert.match(out.text(), /Actual consumption for 2 epoch\(s\):/);
    assert.equal(files.records.at(-1)?.reason, "finished");
  } finally {
    fake.dispose();
  }
});

test("a counter that jumps backwards (reset) is not counted as a wrap of the whole range", async () => {
  const fake = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 20 }));
  const dir = tempDir();
  const t = tracker(fake.root, dir, () => {}, 1);
  try {
    const path = energyFile(fake);
    t.epochStart();
    writeFileSync(path, "5000000\n"); // +4 J
    await sleep(250);
    writeFileSync(path, "2000000\n"); // reset to a lower value
    await sleep(250);
    const epoch = await t.epochEnd();
    assert.ok(epoch);
    assert.ok(epoch.energyJ < 10, `epoch energy ${epoch.energyJ} J after a 4 J rise and a reset`);
  } finally {
    fake.dispose();
  }
});

test("a counter file that turns to garbage: a warning, last figures kept, then it reads again", async () => {
  const fake = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 20 }));
  const dir = tempDir();
  const out = console();
  const t = tracker(fake.root, dir, out.write);
  try {
    const path = energyFile(fake);
    t.epochStart();
    writeFileSync(path, "3000000\n"); // +2 J
    await sleep(250);
    writeFileSync(path, "not a number\n");
    await sleep(250);
    const first = await t.epochEnd();
    writeFileSync(path, "4000000\n"); // +1 J, read after the garbage
    await sleep(250);
    t.epochStart();
    writeFileSync(path, "6000000\n"); // +2 J
    await sleep(250);
    const second = await t.epochEnd();
    assert.equal(first?.energyJ, 2);
    assert.equal(second?.energyJ, 2);
    assert.match(
      out.text(),
      /WARNING - Reading .*energy_uj \(cpu:0\) failed at .*not a count of microjoules/,
    );
    assert.match(runFilesIn(dir).standard, /energy_uj \(cpu:0\) reads again since/);
  } finally {
    fake.dispose();
  }
});

test("a device vanishing mid-run: it keeps its energy so far, the other socket goes on", async () => {
  const fake = new FakePowercap(twoSocketLayout({ kind: "constant", watts: 50 }, 5)).start();
  const dir = tempDir();
  const out = console();
  const t = tracker(fake.root, dir, out.write);
  try {
    t.epochStart();
    await sleep(300);
    await t.epochEnd();
    fake.vanish("intel-rapl:1");
    t.epochStart();
    await sleep(300);
    const second = await t.epochEnd();
    assert.ok(second);
    const byDevice = Object.fromEntries(second.devices.map((d) => [d.device, d.energyJ]));
    assert.equal(byDevice["cpu:1"], 0);
    assert.ok((byDevice["cpu:0"] ?? 0) > 5, JSON.stringify(byDevice));
    assert.match(out.text(), /RAPL zone intel-rapl:1 \(cpu:1\) vanished at .*; the other devices go on\./);
    assert.equal(runFilesIn(dir).records.at(-1)?.reason, "finished");
  } finally {
    fake.dispose();
  }
});

const SETPRIV = "/usr/bin/setpriv";

test(
  "permission taken away mid-run (as an unprivileged user): the counter opened before is still read, as sysfs checks at open; the run and the child go on",
  { skip: process.getuid?.() === 0 && existsSync(SETPRIV) ? false : "needs root and setpriv" },
  async () => {
    const fake = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 20 }));
    const dir = tempDir();
    try {
      const path = energyFile(fake);
      chownSync(path, 65534, 65534);
      chmodSync(fake.dir, 0o755);
      chmodSync(dir, 0o777);
      // The wrapped child, the same user, makes the counter unreadable to its owner mid-run.
      const child = spawn(
        SETPRIV,
        ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, CLI, "--log_dir", dir]
          .concat(["--components", "cpu", "--update-interval", "0.1", "sh", "-c"])
          .concat([`sleep 0.5; chmod 000 ${path}; sleep 0.5; echo child-done`]),
        { env: cliEnv({ CARBONTRACKER_POWERCAP_ROOT: fake.root }) },
      );
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
      const closed = once(child, "close");
      // Once the child took the permission away, the counter moves by 2 J (root writes in place).
      const deadline = Date.now() + 20_000;
      while ((statSync(path).mode & 0o777) !== 0 && Date.now() < deadline && child.exitCode === null)
        await sleep(10);
      writeFileSync(path, "3000000\n");
      const [code] = (await closed) as [number];
      assert.equal(code, 0, out);
      assert.match(out, /^child-done$/m);
      assert.doesNotMatch(out, /energy_uj \(cpu:0\) failed/);
      assert.match(out, /Actual consumption:/);
      const records = runFilesIn(dir).records;
      assert.equal(records.find((r) => r.type === "epoch")?.energy_j, 2, out);
      assert.equal(records.at(-1)?.reason, "finished");
    } finally {
      fake.dispose();
    }
  },
);

test("a read that would hang (energy_uj turned into a FIFO): it fails at once with a warning, the run completes", async () => {
  const dir = tempDir();
  const child = spawn(
    process.execPath,
    ["--import", "tsx", resolve("test/faults/fixtures/hung-read.ts"), dir],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const exited = once(child, "exit");
  const steps = () =>
    Object.fromEntries(
      out
        .split("\n")
        .filter((l) => l.startsWith('{"step"'))
        .map((l) => JSON.parse(l) as { step: string; ms: number })
        .map((s) => [s.step, s.ms]),
    ) as Record<string, number>;
  try {
    const deadline = Date.now() + 40_000;
    while (steps().stopped === undefined && Date.now() < deadline && child.exitCode === null)
      await sleep(100);
    const s = steps();
    assert.ok(s.stopped !== undefined, out);
    // Files are opened O_NONBLOCK: the FIFO reads as empty instead of blocking the sampler, so no
    // boundary waits for a time-out (those stay for hangs elsewhere, e.g. in a driver call).
    assert.ok((s["epoch 1"] as number) - (s.hung as number) < 4_000, JSON.stringify(s));
    assert.ok((s.stopped as number) - (s["epoch 1"] as number) < 4_000, JSON.stringify(s));
    assert.match(
      out,
      /WARNING - Reading \S+energy_uj \(cpu:0\) failed at .*: not a count of microjoules\. cpu:0 keeps/,
    );
    assert.match(out, /Finished monitoring\./);
    assert.equal(runFilesIn(dir).records.at(-1)?.reason, "stopped");
    // Whether the process then exits is the next test's question.
    const exit = await Promise.race([exited.then(() => "exited"), sleep(3_000).then(() => "still running")]);
    hungProcessExit = exit;
  } finally {
    // Unblock the worker's open() (a writer on the FIFO), then make sure the process is gone.
    const fifo = /"fifo":"([^"]+)"/.exec(out)?.[1];
    if (fifo && child.exitCode === null) {
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // No reader any more.
      }
    }
    await Promise.race([exited, sleep(2_000)]);
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});

let hungProcessExit = "not run";

test("a hung read: the host process still exits after stop()", () => {
  assert.equal(hungProcessExit, "exited");
});

/** A PowerReader (the hardware interface) scripted step by step: a number is the cumulative J, "throw" throws. */
function scriptedReader(steps: (number | "throw")[]): PowerReader {
  let i = 0;
  const device: DeviceDescription = {
    component: "cpu",
    device: "fake:0",
    name: "fake",
    provenance: "counter",
  };
  return {
    backend: "fake",
    component: "cpu",
    devices: () => [device],
    read: (): DeviceReading[] => {
      const step = steps[Math.min(i++, steps.length - 1)];
      if (step === "throw") throw new Error("device busy");
      return [{ device: "fake:0", energyJ: step as number, powerW: null }];
    },
    close: () => {},
  };
}

test("a reader that throws, and one that goes back: figures kept, never negative, told once, resumed", () => {
  const set = new ReaderSet([scriptedReader([10, 20, "throw", "throw", 15, 30])], []);
  const energies = [1, 2, 3, 4, 5, 6].map((t) => set.read(t).readings[0]?.energyJ);
  assert.deepEqual(energies, [10, 20, 20, 20, 20, 30]);
  const notices = set.drainNotices();
  assert.equal(notices.filter((n) => n.level === "error").length, 1);
  assert.match(
    notices[0]?.message ?? "",
    /Reading fake cpu failed at .*: device busy\. Its devices keep their last figures\./,
  );
  assert.match(notices[1]?.message ?? "", /fake cpu readings resumed\./);
});
