// The CLI's sampler over the NVML proxy (the real program, built by `npm run build`, on the fake
// libnvidia-ml.so): the GPU is detected once the proxy has initialised NVML, or at once when its
// description is asked for first; a proxy that cannot run at all leaves the GPU to a sampler
// worker, and the log says so; one that dies during nvmlInit does not (the driver may be at fault).
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nvmlProxyBinary } from "../../src/data/native-helpers.js";
import { BACKENDS } from "../../src/hardware/registry.js";
import { NvmlProxySampler } from "../../src/sampling/nvml-proxy-sampler.js";
import type { SamplerConfig } from "../../src/sampling/sampler.js";
import { createFakeNvml, FAKE_A100 } from "../helpers/fake-nvml.js";
import { tempDir } from "../helpers/cli-process.js";

const fake = createFakeNvml({ gpus: [FAKE_A100] });
after(() => fake.cleanup());
const binary = nvmlProxyBinary(process.env) as string;

const config: SamplerConfig = {
  components: ["gpu"],
  updateIntervalMs: 1000,
  context: {
    env: { CARBONTRACKER_NVML_LIBRARY: fake.library, FAKE_NVML_CONFIG: process.env.FAKE_NVML_CONFIG },
    pid: process.pid,
    devicesByPid: false,
  },
};

const names = (sampler: NvmlProxySampler) => sampler.description().devices.map((d) => d.device);

test("the GPU is detected once the proxy is ready, on the event loop, or at once when asked first", async () => {
  let detected = 0;
  /** A sampler that counts its detections. */
  const counted = () =>
    new NvmlProxySampler(
      config,
      () => undefined,
      BACKENDS,
      binary,
      () => (detected += 1),
    );
  const waited = counted();
  assert.equal(waited.detected, false);
  await waited.ready();
  assert.equal(detected, 1);
  assert.deepEqual(names(waited), ["NVIDIA A100-SXM4-40GB"]);
  assert.ok((waited.firstReading?.readings[0]?.energyJ ?? -1) >= 0);
  waited.close();
  const asked = counted();
  assert.deepEqual(names(asked), ["NVIDIA A100-SXM4-40GB"]);
  await asked.ready();
  assert.equal(detected, 1, "detected by the call, not again on the event loop");
  asked.close();
});

test("a proxy that cannot run: the GPU is read from a sampler thread instead, and the log says so", async () => {
  for (const broken of [join(tempDir(), "missing-nvml-proxy"), "/bin/false"]) {
    const sampler = new NvmlProxySampler(config, () => undefined, BACKENDS, broken);
    try {
      await sampler.ready();
      assert.deepEqual(names(sampler), ["NVIDIA A100-SXM4-40GB"], broken);
      const notices = sampler.drainNotices().map((n) => n.message);
      assert.ok(
        notices.some((m) => m.includes("NVML is asked from a sampler thread instead")),
        `${broken}: ${notices.join("\n")}`,
      );
      assert.ok((sampler.readNow().readings[0]?.energyJ ?? -1) >= 0);
    } finally {
      sampler.close();
    }
  }
});

test("no temp folder for the proxy's exchange file (TMPDIR missing): the GPU is read from a sampler thread, and the log says why", async () => {
  const missing = join(tempDir(), "missing-tmp");
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = missing;
  let sampler: NvmlProxySampler;
  try {
    sampler = new NvmlProxySampler(config, () => undefined, BACKENDS, binary);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  try {
    await sampler.ready();
    assert.deepEqual(names(sampler), ["NVIDIA A100-SXM4-40GB"]);
    const notices = sampler.drainNotices().map((n) => n.message);
    assert.ok(
      notices.some(
        (m) =>
          m.startsWith("the NVML proxy could not start: ENOENT") &&
          m.includes(missing) &&
          m.endsWith("NVML is asked from a sampler thread instead."),
      ),
      notices.join("\n"),
    );
    assert.ok((sampler.readNow().readings[0]?.energyJ ?? -1) >= 0);
  } finally {
    sampler.close();
  }
});

test("a proxy killed during nvmlInit (a driver at fault, maybe) is not replaced: the GPU is skipped, saying why", async () => {
  // A stand-in that dies as a crash in nvmlInit would: by a signal, without answering.
  const script = join(tempDir(), "crashing-proxy");
  writeFileSync(script, "#!/bin/sh\nkill -SEGV $$\n");
  chmodSync(script, 0o755);
  const sampler = new NvmlProxySampler(config, () => undefined, BACKENDS, script);
  try {
    await sampler.ready();
    const description = sampler.description();
    assert.deepEqual(description.devices, []);
    assert.match(
      description.skipped.map((s) => s.reason).join("\n"),
      /the NVML proxy did not start NVML from .*: it ended \(SIGSEGV\)/,
    );
  } finally {
    sampler.close();
  }
});
