// A tracked run on an NVIDIA GPU asks NVML through the NVML proxy (src/native/nvml-proxy.c), a
// process `ps` shows under the CLI, instead of a sampler thread: the command starts after the
// CPU's baseline, the GPU joins once the proxy has initialised NVML, and both energies are exact.
// CARBONTRACKER_NVML_PROXY=0 (what a machine without a C compiler gets) gives the same figures
// through a sampler thread.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { cliEnv, startCli, tempDir } from "../helpers/cli-process.js";
import { createFakeNvml, FAKE_A100 } from "../helpers/fake-nvml.js";
import { FakePowercap, RecordClock, singlePackageLayout } from "../helpers/fake-powercap.js";
import { runFilesIn } from "../faults/fault-kit.js";
import { childrenNamed } from "../helpers/proc-children.js";

interface Epoch {
  start_t: number;
  end_t: number;
  devices: { device: string; energy_j: number }[];
}

/**
 * Tracks `sleep 2` on a fake CPU at 45 W and a fake GPU at 250 W; with `interruptAtMs`, the
 * whole process group gets SIGINT then, as Ctrl-C at a terminal sends it. `meanwhile` runs 1.2 s
 * in (the GPU detected), given the CLI's pid, while the command runs.
 */
async function trackedRun(
  env: Record<string, string>,
  interruptAtMs?: number,
  meanwhile?: (cliPid: number) => Promise<void>,
) {
  const cpu = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 45 })).start();
  const gpu = createFakeNvml({
    gpus: [{ ...FAKE_A100, energyRateMw: 250_000, energyAtMs: Date.now() }],
  });
  const dir = tempDir();
  try {
    const clock = new RecordClock();
    const { child, done } = startCli(["--log_dir", dir, "sleep", meanwhile ? "4" : "2"], {
      detached: interruptAtMs !== undefined,
      env: cliEnv({
        CARBONTRACKER_POWERCAP_ROOT: cpu.root,
        CARBONTRACKER_NVML_LIBRARY: gpu.library,
        FAKE_NVML_CONFIG: process.env.FAKE_NVML_CONFIG as string,
        ...env,
      }),
    });
    await sleep(interruptAtMs ?? 1_200);
    const proxies = childrenNamed(child.pid as number, "nvml-proxy");
    await meanwhile?.(child.pid as number);
    if (interruptAtMs !== undefined) process.kill(-(child.pid as number), "SIGINT");
    const run = await done;
    clock.end();
    cpu.stop();
    assert.equal(run.code, interruptAtMs === undefined ? 0 : 130, run.stderr);
    const epoch = runFilesIn(dir).records.find((r) => r.type === "epoch") as unknown as Epoch;
    const energy = (name: string) => epoch.devices.find((d) => d.device === name)?.energy_j ?? NaN;
    const window = clock.window(epoch.start_t, epoch.end_t);
    return {
      proxies,
      gpuJ: energy("NVIDIA A100-SXM4-40GB"),
      gpuDrawnJ: (250 * (epoch.end_t - epoch.start_t)) / 1000,
      cpuJ: energy("cpu:0"),
      cpuRangeJ: cpu.history.injectedRangeJ("intel-rapl:0", ...window),
      stderr: run.stderr,
    };
  } finally {
    cpu.dispose();
    gpu.cleanup();
  }
}

test("a GPU run asks NVML through its proxy, not a sampler thread, and measures what the sampler thread does", async () => {
  const proxied = await trackedRun({});
  const threaded = await trackedRun({ CARBONTRACKER_NVML_PROXY: "0" });
  assert.equal(proxied.proxies.length, 1, "ps shows one nvml-proxy under the CLI");
  assert.equal(threaded.proxies.length, 0, "no nvml-proxy with CARBONTRACKER_NVML_PROXY=0");
  for (const run of [proxied, threaded]) {
    assert.match(
      run.stderr,
      /The following components were found: GPU with device\(s\) NVIDIA A100-SXM4-40GB\. CPU/,
    );
    // The GPU joins late: until the proxy's first reading its energy is that reading's power.
    assert.ok(
      Math.abs(run.gpuJ - run.gpuDrawnJ) <= 0.02 * run.gpuDrawnJ,
      `${run.gpuJ} J counted on the GPU, ${run.gpuDrawnJ} J drawn`,
    );
    const [lowJ, highJ] = run.cpuRangeJ;
    assert.ok(
      run.cpuJ > lowJ - 1 && run.cpuJ < highJ + 1,
      `${run.cpuJ} J on the CPU, ${lowJ}..${highJ} J moved`,
    );
  }
});

test("Ctrl-C at a terminal (SIGINT to the whole group) does not end the proxy: the GPU is read once more as the run stops", async () => {
  const interrupted = await trackedRun({}, 1_500);
  assert.equal(interrupted.proxies.length, 1);
  assert.doesNotMatch(interrupted.stderr, /could not be read/);
  assert.ok(
    Math.abs(interrupted.gpuJ - interrupted.gpuDrawnJ) <= 0.02 * interrupted.gpuDrawnJ,
    `${interrupted.gpuJ} J counted on the GPU, ${interrupted.gpuDrawnJ} J drawn`,
  );
});

/** Kills the CLI's NVML proxy, and gives the pid of the one that replaced it, if any, half a second later. */
async function killProxy(cliPid: number): Promise<number | undefined> {
  const [proxy] = childrenNamed(cliPid, "nvml-proxy", { live: true });
  assert.ok(proxy, "an nvml-proxy runs under the CLI");
  process.kill(proxy, "SIGKILL");
  await sleep(500);
  return childrenNamed(cliPid, "nvml-proxy", { live: true }).find((pid) => pid !== proxy);
}

test("an NVML proxy killed during the run is started again at once, and the GPU's counter covers the time without it", async () => {
  const restarted: (number | undefined)[] = [];
  const run = await trackedRun({}, undefined, async (cliPid) => {
    restarted.push(await killProxy(cliPid));
  });
  assert.ok(restarted[0], "a new nvml-proxy runs under the CLI half a second after the first was killed");
  assert.match(
    run.stderr,
    /WARNING - The NVML proxy ended \(SIGKILL\) at \S+: it is started again\. A GPU's energy counter covers the time without it/,
  );
  assert.doesNotMatch(run.stderr, /could not be read/);
  assert.ok(
    Math.abs(run.gpuJ - run.gpuDrawnJ) <= 0.02 * run.gpuDrawnJ,
    `${run.gpuJ} J counted on the GPU, ${run.gpuDrawnJ} J drawn`,
  );
});

test("a proxy that keeps ending is started again three times a run, not a fourth; the run goes on and reports", async () => {
  const restarted: (number | undefined)[] = [];
  const run = await trackedRun({}, undefined, async (cliPid) => {
    for (let i = 0; i < 3; i++) restarted.push(await killProxy(cliPid));
    const [last] = childrenNamed(cliPid, "nvml-proxy", { live: true });
    if (last) process.kill(last, "SIGKILL");
  });
  assert.equal(restarted.filter(Boolean).length, 3, "three proxies started again");
  assert.equal(run.stderr.match(/The NVML proxy ended \(SIGKILL\) at \S+: it is started again/g)?.length, 3);
  assert.match(
    run.stderr,
    /ERROR - The NVML proxy ended \(SIGKILL\) at \S+, after it was started again 3 times this run: it is not started again, and GPUs read through it keep their last readings\./,
  );
  assert.match(run.stderr, /Finished monitoring\./);
  assert.ok(run.cpuJ > 0, "the CPU is still measured");
  assert.ok(run.gpuJ < run.gpuDrawnJ, `${run.gpuJ} J: the GPU's energy after the last end is not invented`);
});
