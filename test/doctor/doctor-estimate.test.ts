// `carbontracker doctor` where the CPU can only be estimated: it names the model and the figures
// behind the estimate, says whether this is a virtual machine, and labels a VM's figure a VM
// estimate in the text and in --json.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { doctor, fakeMachine } from "./doctor-kit.js";
import { procStat, x86Cpuinfo } from "../hardware/estimate/fake-proc.js";

const lines = (text: string) => text.split("\n");

test("bare metal without RAPL: the model's TDP x sockets, and 'virtual machine: no'", async () => {
  const m = fakeMachine({ rapl: "missing" });
  try {
    const run = await doctor(["--components", "cpu"], m.env);
    assert.equal(run.code, 1, run.stderr);
    const out = lines(run.stdout);
    assert.ok(
      out.includes("CPU: NOT MEASURED: estimates from TDP x utilisation (not measurements) (estimate)"),
      run.stdout,
    );
    assert.ok(out.includes("  [info] virtual machine: no (no hypervisor flag in /proc/cpuinfo)"), run.stdout);
    const at = out.indexOf("  [warn] Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz: estimate (TDP x utilisation)");
    assert.ok(at > 0, run.stdout);
    assert.equal(
      out[at + 1],
      "         how: 125 W TDP of Intel Xeon Gold 6230 x 1 socket (/proc/cpuinfo names no physical id) x utilisation",
    );
  } finally {
    m.cleanup();
  }
});

test("in a VM: the headline, the device and the verdict say VM estimate; --json has vm and the model", async () => {
  const m = fakeMachine({ rapl: "missing" });
  try {
    const proc = m.env.CARBONTRACKER_PROC_ROOT as string;
    const machine = {
      brand: "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz",
      sockets: 1,
      threadsPerSocket: 4,
      hypervisor: true,
    };
    writeFileSync(join(proc, "cpuinfo"), x86Cpuinfo(machine));
    writeFileSync(join(proc, "stat"), procStat(4, 100, 300));
    const run = await doctor(["--components", "cpu"], m.env);
    const out = lines(run.stdout);
    assert.ok(
      out.includes(
        "CPU: NOT MEASURED: estimates for a virtual machine, its share of the host CPU x utilisation (not measurements) (estimate)",
      ),
      run.stdout,
    );
    assert.ok(
      out.includes(
        "  [info] virtual machine: yes (hypervisor flag in /proc/cpuinfo): a CPU estimate is this VM's share of the host CPU",
      ),
      run.stdout,
    );
    const at = out.findIndex((l) =>
      l.startsWith("  [warn] Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz: estimate (VM estimate:"),
    );
    assert.ok(at > 0, run.stdout);
    assert.equal(
      out[at + 1],
      "         how: 4 of the 48 threads of Intel Xeon Platinum 8259CL (210 W TDP) = 17.5 W x utilisation",
    );
    assert.ok(
      out.some((l) => l.startsWith("Verdict: CPU VM estimate.")),
      run.stdout,
    );

    const json = JSON.parse((await doctor(["--components", "cpu", "--json"], m.env)).stdout);
    const device = json.components[0].devices[0];
    assert.equal(device.provenance, "estimate");
    assert.equal(device.details.vm, true);
    assert.equal(device.details.estimate, "vm-share");
    assert.equal(device.details.cpu_model, "Intel Xeon Platinum 8259CL");
    assert.equal(device.details.tdp_w, 17.5);
  } finally {
    m.cleanup();
  }
});
