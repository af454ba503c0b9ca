// The NVML proxy (src/native/nvml-proxy.c, built by `npm run build`) on the fake libnvidia-ml.so:
// every call answers as the koffi binding's does, failures to start say what koffi's say, and a
// driver call that hangs costs this thread its deadline, not the run.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { nvmlProxyBinary } from "../../../src/data/native-helpers.js";
import { acquireNvml, type AcquireResult, type NvmlApi } from "../../../src/hardware/nvml/nvml-library.js";
import { startNvmlProxy } from "../../../src/hardware/nvml/nvml-proxy.js";
import { createFakeNvml, FAKE_A100 } from "../../helpers/fake-nvml.js";
import { childrenNamed } from "../../helpers/proc-children.js";

const fake = createFakeNvml();
after(async () => {
  // Every proxy ends once released (SHUTDOWN, or SIGKILL): waited for, so that none logs its last
  // calls into the fake's folder as it is removed; one still running is a leak.
  for (let i = 0; i < 50 && liveProxies().length > 0; i++) await sleep(100);
  assert.deepEqual(liveProxies(), [], "nvml-proxy processes still running after every test released its own");
  fake.cleanup();
});
const proxyBinary = nvmlProxyBinary(process.env);
if (!proxyBinary) throw new Error("dist/native/nvml-proxy is missing: run `npm run build` first");
const binary: string = proxyBinary;

/** Every answer of `api` a run's detection and reads can ask for, handles written as "handle". */
function transcript(api: NvmlApi): string[] {
  const lines: string[] = [];
  const say = (what: string, result: unknown) =>
    lines.push(
      `${what} ${JSON.stringify(result, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))}`,
    );
  const handleOf = (what: string, result: { ok: true; value: unknown } | { ok: false; rc: number }) => {
    say(what, result.ok ? { ok: true, value: "handle" } : result);
    return result.ok ? result.value : undefined;
  };
  const device = (what: string, handle: unknown) => {
    say(`${what} name`, api.name(handle));
    say(`${what} uuid`, api.uuid(handle));
    say(`${what} power`, api.powerMw(handle));
    // The proxy adds what the call cost (cpuMs): the test below.
    const energy = api.energyMj(handle);
    say(`${what} energy`, energy.ok ? { ok: true, value: energy.value } : { ok: false, rc: energy.rc });
    say(`${what} limit`, api.powerLimitMw(handle));
    say(`${what} compute`, api.processes(handle, "compute"));
    say(`${what} graphics`, api.processes(handle, "graphics"));
    say(`${what} is MIG`, api.isMigHandle(handle));
  };
  const count = api.deviceCount();
  say("count", count);
  for (let index = 0; index < (count.ok ? count.value : 0) + 1; index++) {
    const handle = handleOf(`handle ${index}`, api.handleByIndex(index));
    if (handle === undefined) continue;
    device(`GPU ${index}`, handle);
    const max = api.maxMigDeviceCount(handle);
    say(`GPU ${index} max MIG`, max);
    for (let slot = 0; slot < (max.ok ? max.value : 0); slot++) {
      const mig = handleOf(`GPU ${index} MIG ${slot}`, api.migHandleByIndex(handle, slot));
      if (mig === undefined) continue;
      device(`GPU ${index} MIG ${slot}`, mig);
      const parent = handleOf(`GPU ${index} MIG ${slot} parent`, api.migParent(mig));
      if (parent !== undefined) say(`GPU ${index} MIG ${slot} parent name`, api.name(parent));
    }
  }
  const byUuid = handleOf("by UUID", api.handleByUuid("MIG-a100-slot-3"));
  if (byUuid !== undefined) say("by UUID name", api.name(byUuid));
  handleOf("by unknown UUID", api.handleByUuid("GPU-none"));
  say("driver", api.driverVersion());
  say("NVML version", api.nvmlVersion());
  for (const rc of [3, 9, 15, 999]) say(`describe ${rc}`, api.describe(rc));
  return lines;
}

/** The NVML proxies under this process that have not ended (a zombie is not reaped yet). */
function liveProxies(): number[] {
  return childrenNamed(process.pid, "nvml-proxy", { live: true });
}

async function acquired(
  result: Promise<AcquireResult> | AcquireResult,
): Promise<NvmlApi & { release(): void }> {
  const outcome = await result;
  if (!outcome.ok) throw new Error(outcome.reason);
  return Object.assign(Object.create(outcome.session.api) as NvmlApi, { release: outcome.session.release });
}

test("through the proxy, every NVML call answers as through koffi: names, counters, limits, processes, MIG", async () => {
  fake.write({
    driver: "550.54.15",
    stride: 32,
    gpus: [
      {
        ...FAKE_A100,
        energyMj: 9_007_199_254_740_993n,
        computePids: [4242, 4343],
        graphicsPids: [77],
        migs: [{ slot: 3, uuid: "MIG-a100-slot-3" }],
      },
      { name: "Tesla T4", uuid: "GPU-t4", energyRc: 3, powerMw: 31_000, limitRc: 3 },
      { name: "Tesla T4", uuid: "GPU-t4-lost", handleRc: 4 },
    ],
  });
  const viaKoffi = await acquired(acquireNvml(fake.library));
  const expected = transcript(viaKoffi);
  viaKoffi.release();
  const viaProxy = await acquired(startNvmlProxy(binary, fake.library).initialized());
  const answered = transcript(viaProxy);
  viaProxy.release();
  assert.deepEqual(answered, expected);
  // The transcript holds real answers, not only failures.
  assert.ok(answered.includes('GPU 0 energy {"ok":true,"value":"9007199254740993n"}'), answered.join("\n"));
  assert.ok(answered.includes('GPU 0 MIG 3 name {"ok":true,"value":"NVIDIA A100-SXM4-40GB MIG"}'));
  assert.ok(
    answered.includes(
      'GPU 0 compute {"ok":true,"value":[{"pid":4242,"usedGpuMemoryBytes":"1073741824n"},{"pid":4343,"usedGpuMemoryBytes":null}]}',
    ),
    answered.filter((l) => l.includes("compute")).join("\n"),
  );
  assert.ok(answered.includes('handle 2 {"ok":false,"rc":4}'));
});

test("a proxy that cannot start NVML says why as koffi does: no library, nvmlInit failing", async () => {
  fake.write({ initRc: 9, gpus: [FAKE_A100] });
  const viaKoffi = await acquireNvml(fake.library);
  const viaProxy = startNvmlProxy(binary, fake.library).initializedNow();
  assert.equal(viaProxy.ok, false);
  assert.deepEqual(viaProxy, viaKoffi);
  assert.deepEqual(viaProxy, {
    ok: false,
    reason: `nvmlInit_v2 in ${fake.library} failed: Driver Not Loaded (code 9)`,
    stage: "init",
  });
  const missing = join(fake.dir, "none", "libnvidia-ml.so.1");
  const gone = await startNvmlProxy(binary, missing).initialized();
  assert.equal(gone.ok, false);
  assert.equal(!gone.ok && gone.stage, "load");
  assert.match(
    !gone.ok ? gone.reason : "",
    new RegExp(`^cannot load the NVML library ${missing}: .*No such file`),
  );
});

test("a driver call that hangs answers TIMEOUT at its deadline, and later calls wait 250 ms, not 5 s", async () => {
  fake.write({ gpus: [{ ...FAKE_A100, energySleepMs: 60_000 }] });
  const api = await acquired(startNvmlProxy(binary, fake.library).initialized());
  try {
    const handle = api.handleByIndex(0);
    assert.ok(handle.ok);
    let started = performance.now();
    assert.deepEqual(api.energyMj(handle.value), { ok: false, rc: 10 });
    const hungMs = performance.now() - started;
    assert.ok(hungMs >= 4_900 && hungMs < 8_000, `the hung call took ${hungMs.toFixed(0)} ms`);
    started = performance.now();
    assert.deepEqual(api.powerMw(handle.value), { ok: false, rc: 10 });
    const degradedMs = performance.now() - started;
    assert.ok(degradedMs >= 240 && degradedMs < 2_000, `the next call took ${degradedMs.toFixed(0)} ms`);
    assert.equal(api.describe(10), "NVML_ERROR_TIMEOUT (code 10)");
  } finally {
    api.release();
  }
});

for (const binding of ["the proxy", "koffi"] as const) {
  test(`${binding} says what the energy counter's call cost in CPU, without a round trip or a wait in the driver`, async () => {
    fake.write({ gpus: [{ ...FAKE_A100, energyCostUs: 4_000 }] });
    const api = await acquired(
      binding === "the proxy"
        ? startNvmlProxy(binary, fake.library).initialized()
        : acquireNvml(fake.library),
    );
    try {
      const handle = api.handleByIndex(0);
      assert.ok(handle.ok);
      const dear = api.energyMj(handle.value);
      assert.ok(
        dear.ok && dear.cpuMs !== undefined,
        JSON.stringify(dear, (_k, v: unknown) => String(v)),
      );
      assert.ok(dear.cpuMs >= 4 && dear.cpuMs < 5, `a call spinning 4 ms of CPU cost ${dear.cpuMs} ms`);
      fake.write({ gpus: [{ ...FAKE_A100, energySleepMs: 300 }] });
      const started = performance.now();
      const waited = api.energyMj(handle.value);
      const wallMs = performance.now() - started;
      assert.ok(wallMs >= 290, `the blocked call took ${wallMs.toFixed(0)} ms`);
      assert.ok(
        waited.cpuMs !== undefined && waited.cpuMs < 5,
        `a call blocked 300 ms cost ${waited.cpuMs} ms`,
      );
      assert.equal(api.powerMw(handle.value).ok, true);
      assert.equal("cpuMs" in api.powerMw(handle.value), false, "power calls are cheap and not timed");
    } finally {
      api.release();
    }
  });
}

test("a proxy closed while NVML initialises ends, and says it was closed", async () => {
  fake.write({ initSleepMs: 30_000, gpus: [FAKE_A100] });
  const started = startNvmlProxy(binary, fake.library);
  started.close();
  assert.deepEqual(await started.initialized(), {
    ok: false,
    reason: "the NVML proxy was closed",
    stage: "init",
  });
  // Killed, not left inside nvmlInit for 30 s.
  const gone = Date.now() + 2_000;
  while (childrenNamed(process.pid, "nvml-proxy").length > 0 && Date.now() < gone) await sleep(20);
  assert.deepEqual(childrenNamed(process.pid, "nvml-proxy"), []);
});

test("a proxy killed meanwhile is seen at the next call, not after the call's 5 s deadline; release() shuts NVML down", async () => {
  fake.write({ gpus: [FAKE_A100] });
  const before = fake.calls().length;
  const api = await acquired(startNvmlProxy(binary, fake.library).initialized());
  const handle = api.handleByIndex(0);
  assert.ok(handle.ok);
  api.release();
  // The SHUTDOWN request: NVML is shut down as its documentation asks.
  const shutDown = Date.now() + 5_000;
  while (!fake.calls().slice(before).includes("nvmlShutdown") && Date.now() < shutDown) await sleep(20);
  assert.deepEqual(fake.calls().slice(before), ["nvmlInit_v2", "nvmlShutdown"]);
  // ...and ends.
  while (childrenNamed(process.pid, "nvml-proxy").length > 0 && Date.now() < shutDown) await sleep(20);
  assert.deepEqual(childrenNamed(process.pid, "nvml-proxy"), []);

  const again = await acquired(startNvmlProxy(binary, fake.library).initialized());
  const gpu = again.handleByIndex(0);
  assert.ok(gpu.ok);
  const [proxy] = childrenNamed(process.pid, "nvml-proxy");
  assert.ok(proxy !== undefined, "ps shows the proxy under this process");
  process.kill(proxy, "SIGKILL");
  const started = performance.now();
  const power = again.powerMw(gpu.value);
  assert.deepEqual(power, { ok: false, rc: 999 });
  assert.ok(
    performance.now() - started < 1_000,
    `the call took ${(performance.now() - started).toFixed(0)} ms`,
  );
  assert.equal(
    again.describe(15),
    "NVML_ERROR_GPU_IS_LOST (code 15; the NVML proxy ended and is being started again)",
  );
  again.release();
});

test("a proxy killed between calls is started again: the handles held name the same GPUs and MIG devices, three times a run", async () => {
  fake.write({
    gpus: [
      { name: "Tesla T4", uuid: "GPU-t4", powerMw: 31_000 },
      { ...FAKE_A100, energyMj: 5_000_000, migs: [{ slot: 3, uuid: "MIG-a100-slot-3" }] },
    ],
  });
  const earlier = new Set(liveProxies());
  const started = startNvmlProxy(binary, fake.library);
  const api = await acquired(started.initialized());
  try {
    const t4 = api.handleByIndex(0);
    const a100 = api.handleByIndex(1);
    assert.ok(t4.ok && a100.ok);
    const mig = api.migHandleByIndex(a100.value, 3);
    const byUuid = api.handleByUuid("MIG-a100-slot-3");
    assert.ok(mig.ok && byUuid.ok);
    const parent = api.migParent(byUuid.value);
    assert.ok(parent.ok);
    const names = () =>
      [t4, a100, mig, byUuid, parent].map((h) => {
        const name = h.ok ? api.name(h.value) : undefined;
        return name?.ok ? name.value : name;
      });
    const before = names();
    assert.deepEqual(before, [
      "Tesla T4",
      "NVIDIA A100-SXM4-40GB",
      "NVIDIA A100-SXM4-40GB MIG",
      "NVIDIA A100-SXM4-40GB MIG",
      "NVIDIA A100-SXM4-40GB",
    ]);
    for (let restart = 1; restart <= 4; restart++) {
      // This session's proxy: earlier tests' may still be ending.
      const [proxy] = liveProxies().filter((pid) => !earlier.has(pid));
      assert.ok(proxy !== undefined, `a proxy runs before kill ${restart}`);
      process.kill(proxy, "SIGKILL");
      // Its end is seen on the event loop (the exit event), where the next one is started.
      await sleep(200);
      if (restart <= 3) {
        assert.deepEqual(names(), before, `after restart ${restart}`);
        const energy = api.energyMj(a100.value);
        assert.equal(energy.ok && energy.value, 5_000_000n);
      } else {
        assert.deepEqual(api.powerMw(t4.value), { ok: false, rc: 999 }, "a fourth end is final");
        assert.equal(api.describe(999), "NVML_ERROR_UNKNOWN (code 999; the NVML proxy has ended)");
      }
    }
    const notices = started.drainNotices().map((n) => `${n.level}: ${n.message}`);
    assert.equal(
      notices.filter((n) =>
        /^warning: The NVML proxy ended \(SIGKILL\) at \S+: it is started again\./.test(n),
      ).length,
      3,
      notices.join("\n"),
    );
    assert.equal(notices.filter((n) => n.startsWith("info: The NVML proxy answers again")).length, 3);
    assert.match(
      notices.at(-1) ?? "",
      /^error: The NVML proxy ended \(SIGKILL\) at \S+, after it was started again 3 times this run: it is not started again/,
    );
  } finally {
    api.release();
  }
});

test("a proxy that cannot be started again says why, and is tried again at the next read", async () => {
  fake.write({ gpus: [FAKE_A100] });
  const earlier = new Set(liveProxies());
  const started = startNvmlProxy(binary, fake.library);
  const api = await acquired(started.initialized());
  try {
    const gpu = api.handleByIndex(0);
    assert.ok(gpu.ok);
    fake.write({ initRc: 9, gpus: [FAKE_A100] });
    const [proxy] = liveProxies().filter((pid) => !earlier.has(pid));
    assert.ok(proxy !== undefined);
    process.kill(proxy, "SIGKILL");
    await sleep(200);
    assert.deepEqual(api.powerMw(gpu.value), { ok: false, rc: 999 });
    fake.write({ gpus: [{ ...FAKE_A100, powerMw: 123_000 }] });
    assert.deepEqual(api.powerMw(gpu.value), { ok: true, value: 123_000 });
    const notices = started.drainNotices().map((n) => `${n.level}: ${n.message}`);
    assert.deepEqual(
      notices.map((n) =>
        n.replace(/ at \S+Z/, " at T").replace(/\(started again at \S+\)/, "(started again at T)"),
      ),
      [
        "warning: The NVML proxy ended (SIGKILL) at T: it is started again. A GPU's energy counter covers the time without it; a GPU without one keeps its last reading over that time.",
        `warning: The NVML proxy could not be started again: nvmlInit_v2 in ${fake.library} failed: Driver Not Loaded (code 9). It is tried again at the next read.`,
        "info: The NVML proxy answers again (started again at T): GPUs read through it are read again.",
      ],
    );
  } finally {
    api.release();
  }
});
