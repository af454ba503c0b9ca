import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  createPowermetricsBackend,
  powermetricsCpuBackend,
  powermetricsGpuBackend,
  type PowermetricsBackendOptions,
} from "../../../src/hardware/powermetrics/powermetrics-reader.js";
import { detectReaders } from "../../../src/hardware/detect.js";
import { BACKENDS } from "../../../src/hardware/registry.js";
import { estimateCpuBackend } from "../../../src/hardware/estimate/estimate-reader.js";
import type {
  Component,
  DetectionContext,
  OpenResult,
  PowerReader,
  SkipReason,
} from "../../../src/hardware/types.js";

const FIXTURES = resolve("test/fixtures/powermetrics");
const FAKE = join(FIXTURES, "fake-powermetrics.mjs");
const INTERVAL_MS = 100;

interface Fake {
  dir: string;
  context: DetectionContext;
  starts(): Array<{ pid: number; argv: string[] }>;
  sudoCalls(): string[];
}

function makeFake(env: Record<string, string> = {}): Fake {
  const dir = mkdtempSync(join(tmpdir(), "ct-powermetrics-"));
  const argsLog = join(dir, "args.jsonl");
  const sudoLog = join(dir, "sudo.log");
  const context: DetectionContext = {
    env: {
      PATH: [join(FIXTURES, "bin"), dirname(process.execPath), process.env.PATH ?? ""].join(delimiter),
      CARBONTRACKER_POWERMETRICS: FAKE,
      FAKE_POWERMETRICS_ARGS_LOG: argsLog,
      FAKE_POWERMETRICS_STATE: join(dir, "state"),
      FAKE_SUDO_LOG: sudoLog,
      ...env,
    },
    pid: process.pid,
    devicesByPid: false,
  };
  const lines = (path: string) =>
    existsSync(path)
      ? readFileSync(path, "utf8")
          .split("\n")
          .filter((l) => l.length > 0)
      : [];
  return {
    dir,
    context,
    starts: () => lines(argsLog).map((l) => JSON.parse(l) as { pid: number; argv: string[] }),
    sudoCalls: () => lines(sudoLog),
  };
}

const AS_USER: PowermetricsBackendOptions = { uid: 501, username: "alice", sampleIntervalMs: INTERVAL_MS };
const AS_ROOT: PowermetricsBackendOptions = { uid: 0, sampleIntervalMs: INTERVAL_MS };

async function open(
  component: Component,
  fake: Fake,
  options: PowermetricsBackendOptions,
): Promise<OpenResult> {
  return createPowermetricsBackend(component, options).open(fake.context);
}

function readerOf(result: OpenResult): PowerReader {
  assert.ok("reader" in result, `expected a reader, got ${JSON.stringify(result)}`);
  return result.reader;
}

function skipOf(result: OpenResult): SkipReason {
  assert.ok("skip" in result, "expected a skip");
  return result.skip;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(20);
  }
}

test("CPU and GPU readers share one powermetrics process run through sudo -n; devices are CPU, GPU, ANE", async () => {
  const fake = makeFake();
  const cpu = readerOf(await open("cpu", fake, AS_USER));
  const gpu = readerOf(await open("gpu", fake, AS_USER));
  try {
    assert.deepEqual(
      [...cpu.devices(), ...gpu.devices()].map((d) => [d.component, d.device, d.name, d.provenance]),
      [
        ["cpu", "CPU", "CPU (Mac14,9)", "sampled"],
        ["gpu", "GPU", "GPU (Mac14,9)", "sampled"],
        ["gpu", "ANE", "ANE (Mac14,9)", "sampled"],
      ],
    );
    assert.equal(cpu.backend, "powermetrics");
    const starts = fake.starts();
    assert.equal(starts.length, 1, "one powermetrics process for both components");
    assert.deepEqual(starts[0]?.argv, [
      "--samplers",
      "cpu_power,gpu_power",
      "-i",
      String(INTERVAL_MS),
      "-b",
      "1",
    ]);
    assert.deepEqual(fake.sudoCalls(), [`-n ${FAKE} --samplers cpu_power,gpu_power -i ${INTERVAL_MS} -b 1`]);

    const t0 = Date.now();
    const first = [...cpu.read(t0), ...gpu.read(t0)];
    await sleep(1000);
    const t1 = Date.now();
    const [cpuNow] = cpu.read(t1);
    const [gpuNow, aneNow] = gpu.read(t1);
    const cpuJ = cpuNow!.energyJ - first[0]!.energyJ;
    const gpuJ = gpuNow!.energyJ - first[1]!.energyJ;
    const windowS = (t1 - t0) / 1000;
    // 6321 mW for about a second (sample timing on a busy machine is loose; the ratio is not).
    assert.ok(
      cpuJ > 0.3 * 6.321 * windowS && cpuJ < 1.3 * 6.321 * windowS,
      `CPU ${cpuJ} J over ${windowS} s`,
    );
    assert.ok(Math.abs(gpuJ / cpuJ - 412 / 6321) < 0.01 * (412 / 6321), `GPU/CPU ratio ${gpuJ / cpuJ}`);
    assert.equal(aneNow!.energyJ, 0);
    assert.equal(cpuNow!.powerW, 6.321);
    assert.equal(gpuNow!.powerW, 0.412);
  } finally {
    cpu.close();
    gpu.close();
  }
  const pid = fake.starts()[0]!.pid;
  await waitFor(() => !isAlive(pid));
  rmSync(fake.dir, { recursive: true, force: true });
});

test("run as root, powermetrics starts without sudo; one reader's close keeps the other's stream", async () => {
  const fake = makeFake();
  const cpu = readerOf(await open("cpu", fake, AS_ROOT));
  const gpu = readerOf(await open("gpu", fake, AS_ROOT));
  assert.deepEqual(fake.sudoCalls(), []);
  const pid = fake.starts()[0]!.pid;
  cpu.close();
  cpu.close();
  await sleep(300);
  assert.ok(isAlive(pid), "the GPU reader still holds the stream");
  const before = gpu.read(Date.now())[0]!.energyJ;
  await sleep(300);
  assert.ok(gpu.read(Date.now())[0]!.energyJ > before);
  gpu.close();
  await waitFor(() => !isAlive(pid));
  rmSync(fake.dir, { recursive: true, force: true });
});

test("sudo refusing: one warning with the sudoers line, both components skip, the CPU falls back to the estimate", async () => {
  const fake = makeFake({ FAKE_SUDO_REFUSE: "1" });
  const detection = await detectReaders(["gpu", "cpu"], fake.context, {
    cpu: [createPowermetricsBackend("cpu", AS_USER), estimateCpuBackend],
    gpu: [createPowermetricsBackend("gpu", AS_USER)],
  });
  try {
    assert.deepEqual(
      detection.readers.map((r) => [r.component, r.backend]),
      [["cpu", "estimate"]],
    );
    const line = `alice ALL=(root) NOPASSWD: ${FAKE}`;
    assert.deepEqual(
      detection.skipped.map((s) => [s.component, s.backend, s.fix]),
      [
        ["gpu", "powermetrics", line],
        ["cpu", "powermetrics", line],
      ],
    );
    const skip = detection.skipped[0]!;
    assert.match(skip.reason, /sudo: a password is required/);
    assert.match(skip.reason, /sudo visudo -f \/etc\/sudoers\.d\/carbontracker-powermetrics/);
    const warnings = detection.notices.filter((n) =>
      n.message.startsWith("Apple silicon power is not measured"),
    );
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.level, "warning");
    assert.ok(warnings[0]!.message.endsWith(line));
    assert.equal(fake.sudoCalls().length, 1, "sudo was asked once");
    assert.equal(fake.starts().length, 0, "powermetrics never ran");
  } finally {
    for (const reader of detection.readers) reader.close();
    rmSync(fake.dir, { recursive: true, force: true });
  }
});

test("powermetrics refusing to run without root is a permission skip too", async () => {
  const fake = makeFake({ FAKE_POWERMETRICS_MODE: "not-root" });
  const skip = skipOf(await open("cpu", fake, AS_ROOT));
  assert.match(skip.reason, /must be invoked as the superuser/);
  assert.match(skip.fix ?? "", /NOPASSWD/);
  rmSync(fake.dir, { recursive: true, force: true });
});

test("powermetrics dying mid-run is restarted once, and measuring goes on", async () => {
  const fake = makeFake({ FAKE_POWERMETRICS_MODE: "crash-once", FAKE_POWERMETRICS_CRASH_AFTER: "4" });
  const cpu = readerOf(await open("cpu", fake, AS_USER));
  try {
    await waitFor(() => fake.starts().length === 2);
    const notices = cpu.drainNotices?.() ?? [];
    assert.equal(notices.length, 1);
    assert.equal(notices[0]!.level, "warning");
    assert.match(
      notices[0]!.message,
      /powermetrics stopped at .* \(exit code 3; stderr: powermetrics: unexpected error/,
    );
    assert.match(notices[0]!.message, /restarting it \(once\)/);
    await sleep(400);
    const before = cpu.read(Date.now())[0]!;
    await sleep(400);
    const after = cpu.read(Date.now())[0]!;
    assert.ok(after.energyJ > before.energyJ, "the restarted stream keeps adding energy");
    assert.equal(after.powerW, 6.321);
  } finally {
    cpu.close();
    rmSync(fake.dir, { recursive: true, force: true });
  }
});

test("dying again after the restart marks the devices lost: energy stops growing", async () => {
  const fake = makeFake({ FAKE_POWERMETRICS_MODE: "crash", FAKE_POWERMETRICS_CRASH_AFTER: "3" });
  const cpu = readerOf(await open("cpu", fake, AS_USER));
  const gpu = readerOf(await open("gpu", fake, AS_USER));
  try {
    const notices: string[] = [];
    await waitFor(() => {
      notices.push(
        ...[...(cpu.drainNotices?.() ?? []), ...(gpu.drainNotices?.() ?? [])].map((n) => n.message),
      );
      return notices.length >= 2;
    });
    assert.equal(fake.starts().length, 2);
    assert.match(
      notices[1]!,
      /stopped again .* after 1 restart\(s\): Apple silicon device\(s\) CPU, GPU, ANE are lost/,
    );
    const frozen = cpu.read(Date.now())[0]!;
    assert.equal(frozen.powerW, null);
    assert.ok(frozen.energyJ > 0);
    await sleep(300);
    assert.equal(cpu.read(Date.now())[0]!.energyJ, frozen.energyJ);
  } finally {
    cpu.close();
    gpu.close();
    rmSync(fake.dir, { recursive: true, force: true });
  }
});

test("macOS 12 output (no Combined line, Package Power) reads CPU, GPU and ANE", async () => {
  const fake = makeFake({ FAKE_POWERMETRICS_FORMAT: "macos12", FAKE_POWERMETRICS_ANE_MW: "50" });
  const gpu = readerOf(await open("gpu", fake, AS_ROOT));
  try {
    assert.equal(gpu.devices()[0]!.name, "GPU (MacBookAir10,1)");
    await sleep(400);
    const [g, a] = gpu.read(Date.now());
    assert.equal(g!.powerW, 0.412);
    assert.equal(a!.powerW, 0.05);
    assert.ok(a!.energyJ > 0);
  } finally {
    gpu.close();
    rmSync(fake.dir, { recursive: true, force: true });
  }
});

test("an Intel Mac gives the CPU its package power and has no GPU line", async () => {
  const fake = makeFake({ FAKE_POWERMETRICS_FORMAT: "intel", FAKE_POWERMETRICS_CPU_MW: "4510" });
  const cpu = readerOf(await open("cpu", fake, AS_ROOT));
  try {
    assert.equal(cpu.devices()[0]!.details?.source, "Intel energy model derived package power (CPUs+GT+SA)");
    assert.equal(cpu.read(Date.now())[0]!.powerW, 4.51);
    const skip = skipOf(await open("gpu", fake, AS_ROOT));
    assert.match(skip.reason, /printed no 'GPU Power' line \(printed: CPU\)/);
    assert.equal(fake.starts().length, 1, "the GPU backend joined the running stream");
  } finally {
    cpu.close();
    rmSync(fake.dir, { recursive: true, force: true });
  }
});

test("a powermetrics that never samples is skipped after the time-out", async () => {
  const fake = makeFake({ FAKE_POWERMETRICS_MODE: "silent" });
  const skip = skipOf(await open("cpu", fake, { ...AS_ROOT, firstSampleTimeoutMs: 600 }));
  assert.match(skip.reason, /printed no complete sample within 0\.6 s/);
  const pid = fake.starts()[0]!.pid;
  await waitFor(() => !isAlive(pid));
  rmSync(fake.dir, { recursive: true, force: true });
});

test("off macOS without CARBONTRACKER_POWERMETRICS, or with a missing command, it is skipped", async () => {
  const context: DetectionContext = { env: { PATH: "/nonexistent" }, pid: process.pid, devicesByPid: false };
  const linux = skipOf(await createPowermetricsBackend("cpu", { platform: "linux" }).open(context));
  assert.match(linux.reason, /only on macOS \(this is linux\); set CARBONTRACKER_POWERMETRICS/);
  const mac = skipOf(await createPowermetricsBackend("gpu", { platform: "darwin" }).open(context));
  assert.equal(mac.component, "gpu");
  if (!existsSync("/usr/bin/powermetrics")) assert.match(mac.reason, /'powermetrics' was not found on PATH/);
  const missing = skipOf(
    await createPowermetricsBackend("cpu").open({
      ...context,
      env: { CARBONTRACKER_POWERMETRICS: "/no/such/pm" },
    }),
  );
  assert.match(missing.reason, /'\/no\/such\/pm' was not found or is not executable/);
});

test("the registry tries powermetrics just before the CPU estimate, and after amdgpu for GPUs", () => {
  const cpu = BACKENDS.cpu;
  assert.equal(cpu.indexOf(powermetricsCpuBackend), cpu.indexOf(estimateCpuBackend) - 1);
  assert.equal(BACKENDS.gpu.at(-1), powermetricsGpuBackend);
  assert.equal(BACKENDS.gpu.at(-2)?.id, "amdgpu");
});
