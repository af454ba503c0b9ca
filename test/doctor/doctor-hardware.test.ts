// `carbontracker doctor` on fake machines: what it says per component (measured how, or why
// not, with the fix) and its exit code, for each situation a newcomer meets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cannotDropPrivileges, doctor, doctorAsNobody, fakeMachine, writeZone } from "./doctor-kit.js";
import { createFakeNvml, type FakeNvml } from "../helpers/fake-nvml.js";
import { makeFakeDrm, PHOENIX_APU } from "../hardware/amdgpu/fake-drm.js";

const lines = (text: string) => text.split("\n");

test("readable RAPL counters: CPU measured by counters, file modes shown, exit 0", async () => {
  const m = fakeMachine({ rapl: "readable" });
  try {
    const run = await doctor(["--components", "cpu"], m.env);
    assert.equal(run.code, 0, run.stderr);
    const out = lines(run.stdout);
    assert.ok(out.includes("CPU: measured by hardware energy counters (rapl)"), run.stdout);
    assert.ok(out.includes("  [ok] cpu:0 (package-0 (intel-rapl:0)): counter"), run.stdout);
    assert.ok(out.includes("  [ok] dram:0 (dram (intel-rapl:0:0)): counter"), run.stdout);
    assert.ok(
      out.includes(
        `  [ok] intel-rapl:0 (package-0) energy_uj: -r--r--r-- root:root ${m.powercap}/intel-rapl:0/energy_uj: readable`,
      ),
      run.stdout,
    );
    assert.ok(
      out.includes("  [info] kernel: Linux version 6.8.0-45-generic (buildd@lcy02-amd64-115) #45-Ubuntu SMP"),
    );
    assert.ok(out.includes("  [info] container: no sign of one"));
    assert.ok(
      out.includes("Verdict: CPU counter. Every requested component is measured by a counter (exit 0)."),
    );
  } finally {
    m.cleanup();
  }
});

test(
  "root-only RAPL files as an unprivileged user: estimate, the modes, the fix, exit 1",
  { skip: cannotDropPrivileges },
  async () => {
    const m = fakeMachine({ rapl: "root-only" });
    try {
      const run = await doctorAsNobody(["--components", "cpu"], m.env);
      assert.equal(run.code, 1, run.stderr);
      const out = lines(run.stdout);
      assert.ok(
        out.includes("CPU: NOT MEASURED: estimates from TDP x utilisation (not measurements) (estimate)"),
        run.stdout,
      );
      assert.ok(
        out.includes("  [warn] Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz: estimate (TDP x utilisation)"),
        run.stdout,
      );
      assert.ok(
        out.some((l) =>
          l.startsWith("  [skip] rapl: RAPL energy counters are not readable by this user (uid 65534)"),
        ),
        run.stdout,
      );
      const file = `${m.powercap}/intel-rapl:0/energy_uj`;
      const at = out.indexOf(
        `  [warn] intel-rapl:0 (package-0) energy_uj: -r-------- root:root ${file}: not readable by uid 65534`,
      );
      assert.ok(at > 0, run.stdout);
      assert.equal(
        out[at + 1],
        `         fix: sudo carbontracker doctor --fix (lets group carbontracker read the counters, persistently); one-off until reboot: sudo chmod o+r ${file}`,
      );
      assert.match(
        run.stdout,
        /Verdict: CPU estimate\. Not every requested component is measured by a counter \(exit 1\)\./,
      );
    } finally {
      m.cleanup();
    }
  },
);

test("a package with no energy_uj: measured as the sum of its subzones, DRAM apart, exit 0", async () => {
  const m = fakeMachine({ rapl: "readable" });
  try {
    rmSync(join(m.powercap, "intel-rapl:0", "energy_uj"));
    writeZone(m.powercap, "intel-rapl:0:1", "core", 0o444);
    writeZone(m.powercap, "intel-rapl:0:2", "uncore", 0o444);
    const run = await doctor(["--components", "cpu"], m.env);
    assert.equal(run.code, 0, run.stdout);
    const out = lines(run.stdout);
    assert.ok(out.includes("CPU: measured by hardware energy counters (rapl)"), run.stdout);
    assert.ok(
      out.includes(
        "  [ok] cpu:0 (package-0 (intel-rapl:0, no energy_uj: sum of its subzones intel-rapl:0:1 core + intel-rapl:0:2 uncore)): counter",
      ),
      run.stdout,
    );
    assert.ok(out.includes("  [ok] dram:0 (dram (intel-rapl:0:0)): counter"), run.stdout);
    assert.ok(
      out.includes(
        `  [ok] intel-rapl:0:1 (core) energy_uj: -r--r--r-- root:root ${m.powercap}/intel-rapl:0:1/energy_uj: readable`,
      ),
      run.stdout,
    );
  } finally {
    m.cleanup();
  }
});

test("no powercap tree on a bare machine: says so and how to load the driver", async () => {
  const m = fakeMachine({ rapl: "missing" });
  try {
    const run = await doctor(["--components", "cpu"], m.env);
    assert.equal(run.code, 1);
    const out = lines(run.stdout);
    const at = out.indexOf(`  [warn] RAPL files: no powercap folder at ${m.powercap}`);
    assert.ok(at > 0, run.stdout);
    assert.equal(
      out[at + 1],
      "         fix: Load the RAPL driver (sudo modprobe intel_rapl_msr; AMD Zen needs Linux 5.8 or newer); virtual machines usually expose no RAPL.",
    );
    assert.ok(
      out.some((l) => l.startsWith(`  [skip] rapl: no powercap tree at ${m.powercap}`)),
      run.stdout,
    );
  } finally {
    m.cleanup();
  }
});

test("a container without the host's sysfs: the evidence and the mount to add", async () => {
  const m = fakeMachine({ rapl: "missing", container: true });
  try {
    const run = await doctor(["--components", "cpu", "--json"], m.env);
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout);
    const container = report.system.find((c: { label: string }) => c.label === "container");
    assert.equal(
      container.detail,
      `yes: /.dockerenv exists; ${m.env.CARBONTRACKER_PROC_ROOT}/1/cgroup names a container (0::/docker/3f2a9c1e7b)`,
    );
    const cpu = report.components[0];
    assert.equal(cpu.measuredAs, "estimate");
    assert.equal(cpu.backend, "estimate");
    const rapl = cpu.checks.find((c: { label: string }) => c.label === "RAPL files");
    assert.equal(
      rapl.fix,
      "This looks like a container: give it the host's sysfs read-only, e.g. docker run -v /sys:/host/sys:ro -e CARBONTRACKER_POWERCAP_ROOT=/host/sys/class/powercap ...",
    );
  } finally {
    m.cleanup();
  }
});

test("NVML absent: GPU not measured, the library named, exit 1", async () => {
  const m = fakeMachine();
  try {
    const run = await doctor(["--components", "gpu"], m.env);
    assert.equal(run.code, 1);
    const out = lines(run.stdout);
    assert.ok(out.includes("GPU: NOT MEASURED: no backend could open it"), run.stdout);
    const at = out.findIndex((l) =>
      l.startsWith(`  [warn] NVML library: ${m.env.CARBONTRACKER_NVML_LIBRARY} not found (`),
    );
    assert.ok(at > 0, run.stdout);
    assert.equal(
      out[at + 1],
      "         fix: Install the NVIDIA driver (it ships libnvidia-ml.so.1), or set CARBONTRACKER_NVML_LIBRARY to the library's path.",
    );
    assert.ok(out.some((l) => l.startsWith("  [skip] amdgpu: ")));
    assert.ok(
      out.includes(
        "Verdict: GPU not measured. Not every requested component is measured by a counter (exit 1).",
      ),
    );
  } finally {
    m.cleanup();
  }
});

let nvml: FakeNvml | undefined;
let noFakeNvml: string | false = false;
try {
  nvml = createFakeNvml({ gpus: [] });
} catch (error) {
  noFakeNvml = `the fake NVML library could not be built (needs a C compiler): ${String(error).split("\n")[0]}`;
}

test(
  "fake NVML present: GPU by its energy counter, library and driver version, exit 0",
  { skip: noFakeNvml },
  async () => {
    const fake = nvml as FakeNvml;
    fake.write({
      driver: "550.54.15",
      gpus: [
        {
          name: "NVIDIA A100-SXM4-40GB",
          uuid: "GPU-6b8a1c2e-5f3d-4a09-9c1e-2d7f0b3a4e51",
          energyMj: 1_000_000,
          powerMw: 250_000,
          limitMw: 400_000,
        },
      ],
    });
    const m = fakeMachine({ env: { CARBONTRACKER_NVML_LIBRARY: fake.library } });
    try {
      const run = await doctor([], m.env);
      assert.equal(run.code, 0, run.stdout);
      const out = lines(run.stdout);
      assert.ok(out.includes("GPU: measured by hardware energy counters (nvml)"), run.stdout);
      assert.ok(out.includes("  [ok] NVIDIA A100-SXM4-40GB: counter"));
      assert.ok(
        out.some(
          (l) =>
            l.startsWith(`  [ok] NVML library: ${fake.library} loaded`) &&
            l.endsWith("NVML version unknown, driver 550.54.15"),
        ),
        run.stdout,
      );
      const json = JSON.parse((await doctor(["--json"], m.env)).stdout);
      const gpu = json.components.find((c: { component: string }) => c.component === "gpu");
      assert.equal(gpu.measuredAs, "counter");
      assert.equal(gpu.devices[0].details.driver_version, "550.54.15");
      assert.equal(json.exitCode, 0);
    } finally {
      m.cleanup();
    }
  },
);

test("fake NVML on a pre-Volta board: sampled power, exit 1", { skip: noFakeNvml }, async () => {
  const fake = nvml as FakeNvml;
  fake.write({
    gpus: [{ name: "Tesla P100-PCIE-16GB", uuid: "GPU-0f4e9d21", energyRc: 3, powerMw: 30_000 }],
  });
  const m = fakeMachine({ env: { CARBONTRACKER_NVML_LIBRARY: fake.library } });
  try {
    const run = await doctor(["--components", "gpu"], m.env);
    assert.equal(run.code, 1);
    assert.ok(
      lines(run.stdout).includes(
        "GPU: measured by sampled power integrated over time (less exact than a counter) (nvml)",
      ),
      run.stdout,
    );
  } finally {
    m.cleanup();
  }
});

test(
  "powermetrics where sudo asks for a password: found, refused, the sudoers line",
  { skip: cannotDropPrivileges },
  async () => {
    const m = fakeMachine({ rapl: "readable" });
    try {
      const bin = join(m.dir, "bin");
      mkdirSync(bin);
      chmodSync(bin, 0o755);
      writeFileSync(join(bin, "sudo"), "#!/bin/sh\necho 'sudo: a password is required' >&2\nexit 1\n", {
        mode: 0o755,
      });
      writeFileSync(join(bin, "powermetrics"), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
      const env = { ...m.env, PATH: `${bin}:/usr/bin:/bin`, CARBONTRACKER_POWERMETRICS: "powermetrics" };
      const run = await doctorAsNobody(["--components", "cpu"], env);
      const out = lines(run.stdout);
      const at = out.indexOf(
        `  [warn] powermetrics: ${bin}/powermetrics found, but sudo -n refuses to run it (sudo: a password is required)`,
      );
      assert.ok(at > 0, run.stdout + run.stderr);
      assert.equal(
        out[at + 1],
        `         fix: sudo visudo -f /etc/sudoers.d/carbontracker-powermetrics and add the line: nobody ALL=(root) NOPASSWD: ${bin}/powermetrics`,
      );
    } finally {
      m.cleanup();
    }
  },
);

test("bad flags are errors (exit 2) with the reason on stderr", async () => {
  const m = fakeMachine();
  try {
    const unknown = await doctor(["--components", "tpu"], m.env);
    assert.equal(unknown.code, 2);
    assert.equal(
      unknown.stderr,
      "carbontracker doctor: --components: unknown component 'tpu' (use cpu, gpu or all)\n",
    );
    const alone = await doctor(["--dry-run"], m.env);
    assert.equal(alone.code, 2);
    assert.equal(alone.stderr, "carbontracker doctor: --dry-run goes with --fix or --unfix\n");
    const both = await doctor(["--fix", "--unfix"], m.env);
    assert.equal(both.code, 2);
    const flag = await doctor(["--frobnicate"], m.env);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown option '--frobnicate'/);
  } finally {
    m.cleanup();
  }
});

test("an APU whose socket RAPL's package counts: doctor drops it from the GPUs, as a run does, and says why", async () => {
  const m = fakeMachine({ rapl: "readable" });
  const drm = makeFakeDrm([PHOENIX_APU]);
  try {
    const run = await doctor(["--components", "cpu,gpu"], { ...m.env, CARBONTRACKER_DRM_ROOT: drm.root });
    const out = lines(run.stdout);
    assert.ok(out.includes("CPU: measured by hardware energy counters (rapl)"), run.stdout);
    assert.ok(out.includes("GPU: NOT MEASURED: no backend could open it"), run.stdout);
    assert.ok(
      out.some((l) =>
        l.startsWith("  [skip] amdgpu: card0: an APU, whose socket the CPU's RAPL package already counts"),
      ),
      run.stdout,
    );
    const apuNotes = out.filter((l) => l.includes("is an APU"));
    assert.equal(apuNotes.length, 1, run.stdout);
    assert.match(
      apuNotes[0] as string,
      /already counts that socket for the CPU\. It is not measured as a GPU/,
    );
    assert.equal(
      out.some((l) => l.includes("[ok] gpu:")),
      false,
      "the APU is not listed as a measured GPU",
    );
  } finally {
    drm.cleanup();
    m.cleanup();
  }
});
