// The estimate as a user sees it: the CLI on a fake /proc (no RAPL) says in one line which model
// it uses, labels a VM's figure a VM estimate on the console, and the JSONL `start` record's CPU
// device carries tdp_w, the matched model and the table's source.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { cliEnv, runCli, tempDir } from "../../helpers/cli-process.js";
import { jsonlRecords } from "../../helpers/jsonl-records.js";
import { x86Proc, type X86Machine } from "./fake-proc.js";

async function runOn(machine: X86Machine) {
  const dir = tempDir();
  const proc = x86Proc(machine);
  const run = await runCli(["--log_dir", dir, "--components", "cpu", "true"], {
    env: cliEnv({
      CARBONTRACKER_PROC_ROOT: proc.root,
      CARBONTRACKER_POWERCAP_ROOT: join(dir, "no-powercap"),
      CARBONTRACKER_CACHE_DIR: join(dir, "cache"),
      CARBONTRACKER_COUNTRY: "DK",
    }),
  });
  assert.equal(run.code, 0, run.stderr);
  const start = jsonlRecords(dir).find((r) => r.type === "start") as { devices: Record<string, unknown>[] };
  const cpu = start.devices.find((d) => d.component === "cpu");
  assert.ok(cpu, JSON.stringify(start));
  return { stderr: run.stderr, cpu };
}

test("CLI on a 2-socket server without RAPL: TDP x 2 sockets, the model and the table in the JSONL", async () => {
  const { stderr, cpu } = await runOn({
    brand: "Intel(R) Xeon(R) Gold 6226R CPU @ 2.90GHz",
    sockets: 2,
    threadsPerSocket: 32,
  });
  assert.match(
    stderr,
    /CarbonTracker: WARNING - No CPU energy counter is readable: CPU energy for Intel\(R\) Xeon\(R\) Gold 6226R CPU @ 2\.90GHz is an ESTIMATE of 150 W TDP of Intel Xeon Gold 6226R x 2 socket\(s\) x utilisation/,
  );
  assert.match(
    stderr,
    /Energy of cpu Intel\(R\) Xeon\(R\) Gold 6226R CPU @ 2\.90GHz is an ESTIMATE \(TDP x utilisation\), not a measurement\./,
  );
  assert.equal(cpu.provenance, "estimate");
  assert.equal(cpu.tdp_w, 300);
  assert.equal(cpu.cpu_model, "Intel Xeon Gold 6226R");
  assert.match(
    String(cpu.cpu_table),
    /^codecarbon cpu_power\.csv \(MIT\), as shipped by carbontracker 2\.4\.3/,
  );
  assert.equal(cpu.vm, false);
});

test("CLI in a VM: the figure is labelled a VM estimate on the console and in the JSONL", async () => {
  const { stderr, cpu } = await runOn({
    brand: "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz",
    sockets: 1,
    threadsPerSocket: 8,
    model: 106,
    hypervisor: true,
  });
  assert.match(
    stderr,
    /WARNING - No CPU energy counter is readable in this virtual machine \(hypervisor flag in \/proc\/cpuinfo\): .* is a VM ESTIMATE of its share of the host CPU: 8 of the 64 threads of Intel Xeon Platinum 8375C \(300 W TDP\) = 37\.5 W x utilisation/,
  );
  assert.match(
    stderr,
    /Energy of cpu .* is an ESTIMATE \(VM estimate: this VM's share of the host CPU's TDP x utilisation\), not a measurement\./,
  );
  assert.equal(cpu.tdp_w, 37.5);
  assert.equal(cpu.estimate, "vm-share");
  assert.equal(cpu.vm, true);
  assert.match(String(cpu.estimate_label), /^VM estimate/);
});
