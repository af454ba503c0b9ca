// The estimate backend on fake /proc trees (CARBONTRACKER_PROC_ROOT) and DMI folders
// (CARBONTRACKER_DMI_ROOT): bare metal with 1 and 2 sockets, VMs (share of the host, CCF
// coefficients), Arm servers without a brand string, an unknown CPU; always labelled an estimate.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { estimateCpuBackend, EstimateCpuReader } from "../../../src/hardware/estimate/estimate-reader.js";
import fc from "fast-check";
import { parseAggregateLine, parseProcStat } from "../../../src/hardware/estimate/proc-stat.js";
import type { OpenResult } from "../../../src/hardware/types.js";
import { CCF_VCPU_WATTS, CCF_UNKNOWN_VCPU_WATTS } from "../../../src/data/cpu-models/ccf-vcpu-watts.js";
import { armCpuinfo, fakeDmi, fakeProc, x86Proc } from "./fake-proc.js";
import { tempDir } from "../../helpers/cli-process.js";

/** Opens the backend on a tree and returns the reader, its device facts and its one notice. */
async function open(env: Record<string, string>, cpuTdp?: number) {
  const result: OpenResult = await estimateCpuBackend.open({
    env,
    pid: 1,
    devicesByPid: false,
    ...(cpuTdp !== undefined ? { cpuTdp } : {}),
  });
  assert.ok("reader" in result, JSON.stringify(result));
  const reader = result.reader as EstimateCpuReader;
  const device = reader.devices()[0];
  assert.ok(device);
  assert.equal(device.provenance, "estimate");
  assert.equal(result.notices?.length, 1, "one start-up line");
  return { reader, device, details: device.details ?? {}, notice: result.notices?.[0]?.message ?? "" };
}

/** Energy over 2 s at `utilisation` (reads at t=0 and t=2000 ms). */
function energyAt(
  reader: EstimateCpuReader,
  stat: (busy: number, idle: number) => void,
  utilisation: number,
) {
  reader.read(0);
  stat(utilisation * 1000, (1 - utilisation) * 1000);
  return reader.read(2000)[0]?.energyJ ?? NaN;
}

test("parses busy and total jiffies and counts logical CPUs", () => {
  const t = parseProcStat("cpu  10 2 3 100 5 1 1 1 7 0\ncpu0 1\ncpu1 1\ncpu2 1\n");
  assert.equal(t.busy, 10 + 2 + 3 + 1 + 1 + 1);
  assert.equal(t.total, t.busy + 100 + 5);
  assert.equal(t.logicalCpus, 3);
  assert.throws(() => parseProcStat("garbage"), /no aggregate 'cpu' line/);
});

test("a sample reads the aggregate line from the bytes of /proc/stat's head, as the whole text parses", () => {
  const head = (text: string) => {
    const bytes = Buffer.from(text, "latin1");
    return parseAggregateLine(bytes, bytes.length, 4);
  };
  assert.deepEqual(head("cpu  10 2 3 100 5 1 1 1 7 0\ncpu0 999 999\n"), {
    busy: 18,
    total: 123,
    logicalCpus: 4,
  });
  assert.deepEqual(head("cpu \t4 0 1\t 9 \n"), { busy: 5, total: 14, logicalCpus: 4 });
  for (const bad of ["cpu0 1 2 3\n", "cpu  1 2 x 4\n", "cpu  1 -2 3\n", "intr 1\n", "cpu"]) {
    assert.throws(() => head(bad), /no aggregate 'cpu' line/, bad);
  }
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 2 ** 40 }), { minLength: 1, maxLength: 10 }), (fields) => {
      const text = `cpu  ${fields.join(" ")}\nintr 12 3\n`;
      const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
      const busy = user + nice + system + irq + softirq + steal;
      assert.deepEqual(head(text), { busy, total: busy + idle + iowait, logicalCpus: 4 });
      assert.deepEqual(parseProcStat(`${text}cpu0 1\n`), {
        busy,
        total: busy + idle + iowait,
        logicalCpus: 1,
      });
    }),
  );
});

test("energy = (idle + (max - idle) x utilisation) x time between reads", () => {
  const proc = fakeProc("processor\t: 0\n", 2);
  const reader = new EstimateCpuReader(proc.root, { idleW: 10, maxW: 110 }, "Test CPU", {}, 0);
  proc.stat(25, 75); // 25 % busy
  assert.deepEqual(reader.read(2000), [{ device: "Test CPU", energyJ: 70, powerW: 35 }]);
  proc.stat(125, 75); // 100 % busy since the last read
  assert.equal(reader.read(3000)[0]?.energyJ, 180);
});

test("bare metal, 1 socket: the model's TDP x utilisation, the matched model and the table in the JSONL", async () => {
  const proc = x86Proc({
    brand: "Intel(R) Xeon(R) Gold 6226R CPU @ 2.90GHz",
    sockets: 1,
    threadsPerSocket: 32,
  });
  const { reader, device, details, notice } = await open({ CARBONTRACKER_PROC_ROOT: proc.root });
  assert.equal(device.device, "Intel(R) Xeon(R) Gold 6226R CPU @ 2.90GHz");
  assert.equal(details.tdp_w, 150);
  assert.equal(details.cpu_model, "Intel Xeon Gold 6226R");
  assert.match(String(details.cpu_table), /codecarbon cpu_power\.csv \(MIT\)/);
  assert.equal(details.estimate, "table-tdp");
  assert.equal(details.vm, false);
  assert.equal(energyAt(reader, proc.stat, 0.5), 150 * 0.5 * 2);
  assert.match(
    notice,
    /^No CPU energy counter is readable: CPU energy for Intel\(R\) Xeon\(R\) Gold 6226R CPU @ 2\.90GHz is an ESTIMATE of 150 W TDP of Intel Xeon Gold 6226R x 1 socket\(s\) x utilisation \(utilisation: .*\/stat\)\./,
  );
});

test("bare metal, 2 sockets: TDP x the number of physical ids", async () => {
  const proc = x86Proc({
    brand: "AMD EPYC 7763 64-Core Processor",
    sockets: 2,
    threadsPerSocket: 128,
    vendorId: "AuthenticAMD",
    family: 25,
    model: 1,
  });
  const { reader, details, notice } = await open({ CARBONTRACKER_PROC_ROOT: proc.root });
  assert.equal(details.tdp_w, 560);
  assert.equal(details.cpu_model, "AMD EPYC 7763");
  assert.match(notice, /280 W TDP of AMD EPYC 7763 x 2 socket\(s\)/);
  assert.equal(energyAt(reader, proc.stat, 1), 560 * 2);
});

test("VM with a known host model: vCPUs / host threads x host TDP x utilisation, labelled a VM estimate", async () => {
  const proc = x86Proc({
    brand: "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz",
    sockets: 1,
    threadsPerSocket: 4,
    model: 106,
    stepping: 6,
    hypervisor: true,
  });
  const { reader, details, notice } = await open({ CARBONTRACKER_PROC_ROOT: proc.root });
  assert.equal(details.tdp_w, (300 * 4) / 64);
  assert.equal(details.estimate, "vm-share");
  assert.equal(details.vm, true);
  assert.equal(details.vm_evidence, "hypervisor flag in /proc/cpuinfo");
  assert.match(String(details.model), /^VM estimate: share of the host CPU/);
  assert.match(
    notice,
    /^No CPU energy counter is readable in this virtual machine \(hypervisor flag in \/proc\/cpuinfo\): CPU energy for .* is a VM ESTIMATE of its share of the host CPU: 4 of the 64 threads of Intel Xeon Platinum 8375C \(300 W TDP\) = 18\.75 W x utilisation \(utilisation: /,
  );
  assert.equal(energyAt(reader, proc.stat, 0.5), 18.75 * 0.5 * 2);
});

test("VM with a masked model: CCF per-vCPU watts of the microarchitecture from the CPUID model", async () => {
  const proc = x86Proc({
    brand: "Intel(R) Xeon(R) CPU @ 2.20GHz",
    sockets: 1,
    threadsPerSocket: 2,
    model: 79,
    stepping: 0,
    hypervisor: true,
  });
  const { reader, details, notice } = await open({ CARBONTRACKER_PROC_ROOT: proc.root });
  const broadwell = CCF_VCPU_WATTS.Broadwell;
  assert.equal(details.estimate, "vm-ccf");
  assert.equal(details.microarchitecture, "Broadwell");
  assert.equal(details.tdp_w, 2 * broadwell.maxW);
  assert.equal(details.idle_w, 2 * broadwell.minW);
  assert.match(String(details.coefficients), /cloud-carbon-coefficients/);
  assert.match(
    notice,
    /2 vCPU\(s\) x 0\.71 W to 3\.69 W each from idle to full utilisation \(Cloud Carbon Footprint's power per vCPU, its figures for Broadwell\)/,
  );
  assert.match(notice, /The CPU "Intel\(R\) Xeon\(R\) CPU @ 2\.20GHz" is not in the CPU table/);
  const expected = 2 * (broadwell.minW + (broadwell.maxW - broadwell.minW) * 0.25) * 2;
  assert.ok(Math.abs(energyAt(reader, proc.stat, 0.25) - expected) < 1e-9);
});

test("VM on a newer microarchitecture: CCF's nearest figures stand in, and the line says so", async () => {
  const proc = x86Proc({
    brand: "Intel(R) Xeon(R) Processor",
    sockets: 1,
    threadsPerSocket: 2,
    model: 207,
    stepping: 2,
    hypervisor: true,
  });
  const { details, notice } = await open({ CARBONTRACKER_PROC_ROOT: proc.root });
  assert.equal(details.microarchitecture, "Emerald Rapids");
  assert.equal(details.tdp_w, 2 * CCF_VCPU_WATTS["Cascade Lake"].maxW);
  assert.match(notice, /its figures for Cascade Lake, standing in for Emerald Rapids, which it has none for/);
});

test("VM whose hypervisor names its CPU model (QEMU -cpu): that model's figures, over the CPUID model", async () => {
  const cases = [
    ["Intel Xeon Processor (Icelake)", "GenuineIntel", 6, 85, "Ice Lake"],
    ["Intel Xeon Processor (Cascade Lake)", "GenuineIntel", 6, 63, "Cascade Lake"],
    ["Intel Core Processor (SandyBridge, IBRS)", "GenuineIntel", 6, 85, "Sandy Bridge"],
    ["AMD EPYC-Rome Processor", "AuthenticAMD", 0x19, 1, "EPYC 2nd Gen"],
    ["Intel Xeon Processor", "GenuineIntel", 6, 79, "Broadwell"],
  ] as const;
  for (const [brand, vendorId, family, model, expected] of cases) {
    const proc = x86Proc({
      brand,
      vendorId,
      family,
      model,
      sockets: 1,
      threadsPerSocket: 2,
      hypervisor: true,
    });
    const { details } = await open({ CARBONTRACKER_PROC_ROOT: proc.root });
    assert.equal(details.microarchitecture, expected, brand);
  }
});

test("VM with nothing known: CCF's average per vCPU, and one line naming the string", async () => {
  const proc = x86Proc({
    brand: "QEMU Virtual CPU version 2.5+",
    sockets: 1,
    threadsPerSocket: 2,
    vendorId: "GenuineIntel",
    family: 6,
    model: 6,
    hypervisor: true,
  });
  const { details, notice } = await open({ CARBONTRACKER_PROC_ROOT: proc.root });
  assert.equal(details.tdp_w, 2 * CCF_UNKNOWN_VCPU_WATTS.maxW);
  assert.equal(details.unmatched_cpu, "QEMU Virtual CPU version 2.5+");
  assert.match(notice, /its average over AWS microarchitectures \(the microarchitecture is unknown\)/);
  assert.match(notice, /The CPU "QEMU Virtual CPU version 2\.5\+" is not in the CPU table/);
});

test("Arm VM (AWS Graviton2): no brand string; the part from CPU part, the VM and product from DMI", async () => {
  const proc = fakeProc(armCpuinfo(4, "0x41", "0xd0c"), 4);
  const dmi = fakeDmi("Amazon EC2", "m6g.xlarge");
  const { device, details, notice } = await open({
    CARBONTRACKER_PROC_ROOT: proc.root,
    CARBONTRACKER_DMI_ROOT: dmi,
  });
  assert.equal(device.device, "AWS Graviton2 (Arm Neoverse N1)");
  assert.equal(details.cpu_model, "AWS Graviton2");
  assert.equal(details.vm, true);
  assert.equal(details.vm_evidence, "DMI: Amazon EC2 m6g.xlarge");
  assert.equal(details.tdp_w, 4 * CCF_VCPU_WATTS.Graviton2.maxW);
  assert.match(
    notice,
    /in this virtual machine \(DMI: Amazon EC2 m6g\.xlarge\).*its figures for Graviton2 \(Arm Neoverse N1\)/,
  );
});

test("Arm VM (AWS Graviton3, Neoverse V1): Graviton2's figures stand in", async () => {
  const proc = fakeProc(armCpuinfo(2, "0x41", "0xd40"), 2);
  const { device, details } = await open({
    CARBONTRACKER_PROC_ROOT: proc.root,
    CARBONTRACKER_DMI_ROOT: fakeDmi("Amazon EC2", "c7g.large"),
  });
  assert.equal(device.device, "AWS Graviton3 (Arm Neoverse V1)");
  assert.equal(details.microarchitecture, "Arm Neoverse V1");
  assert.equal(details.tdp_w, 2 * CCF_VCPU_WATTS.Graviton2.maxW);
});

test("Arm bare metal (Ampere Altra, 80 cores): the Q80-30's TDP per core x cores", async () => {
  const proc = fakeProc(armCpuinfo(80, "0x41", "0xd0c"), 80);
  const { device, details, notice } = await open({
    CARBONTRACKER_PROC_ROOT: proc.root,
    CARBONTRACKER_DMI_ROOT: join(tempDir(), "no-dmi"),
  });
  assert.equal(device.device, "Ampere Altra (Arm Neoverse N1)");
  assert.equal(details.vm, false);
  assert.equal(details.cpu_model, "Ampere Altra Q80-30");
  assert.equal(details.tdp_w, 210);
  assert.match(
    notice,
    /2\.63 W per core of Ampere Altra Q80-30 \(210 W \/ 80 cores; \/proc\/cpuinfo names no Altra model\) x 80 cores/,
  );
});

test("an unknown CPU on bare metal: one line that names the string and the fallback", async () => {
  const proc = x86Proc({ brand: "Fake Xeon 1234", sockets: 1, threadsPerSocket: 2 });
  const { details, notice } = await open({ CARBONTRACKER_PROC_ROOT: proc.root });
  assert.equal(details.tdp_w, 15);
  assert.equal(details.cpu_model, null);
  assert.equal(details.estimate, "fallback");
  assert.ok(!notice.includes("\n"), "one line");
  assert.match(
    notice,
    /^No CPU energy counter is readable, and the CPU "Fake Xeon 1234" is not in the CPU table \(codecarbon cpu_power\.csv via carbontracker 2\.4\.3 \+ \d+ additions [\d-]+\): CPU energy is an ESTIMATE from the fallback of 7\.5 W x 2 logical CPU\(s\) = 15 W x utilisation \(utilisation: .*\/stat\)\. Set --cpu-tdp/,
  );
});

test("cpuTdp wins over the table, also in a VM; a missing /proc/stat skips the backend", async () => {
  const proc = x86Proc({
    brand: "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz",
    sockets: 1,
    threadsPerSocket: 4,
    hypervisor: true,
  });
  const { details, notice } = await open({ CARBONTRACKER_PROC_ROOT: proc.root }, 65);
  assert.equal(details.tdp_w, 65);
  assert.equal(details.estimate, "user-tdp");
  assert.match(notice, /65 W \(cpuTdp \/ --cpu-tdp\)/);
  const missing = await estimateCpuBackend.open({
    env: { CARBONTRACKER_PROC_ROOT: join(proc.root, "nope") },
    pid: 1,
    devicesByPid: false,
  });
  assert.ok("skip" in missing && /cannot read/.test(missing.skip.reason));
});
