// The estimate reader on a fake /proc (CARBONTRACKER_PROC_ROOT): power = TDP × utilisation,
// always labelled an estimate.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { estimateCpuBackend, EstimateCpuReader } from "../../../src/hardware/estimate/estimate-reader.js";
import { parseProcStat } from "../../../src/hardware/estimate/proc-stat.js";
import { tempDir } from "../../helpers/cli-process.js";

function writeStat(root: string, busy: number, idle: number): void {
  // user nice system idle iowait irq softirq steal guest guest_nice; two logical CPUs
  writeFileSync(
    join(root, "stat"),
    `cpu  ${busy} 0 0 ${idle} 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\ncpu1 0 0 0 0 0 0 0 0 0 0\nintr 1\n`,
  );
}

test("parses busy and total jiffies and counts logical CPUs", () => {
  const t = parseProcStat("cpu  10 2 3 100 5 1 1 1 7 0\ncpu0 1\ncpu1 1\ncpu2 1\n");
  assert.equal(t.busy, 10 + 2 + 3 + 1 + 1 + 1);
  assert.equal(t.total, t.busy + 100 + 5);
  assert.equal(t.logicalCpus, 3);
  assert.throws(() => parseProcStat("garbage"), /no aggregate 'cpu' line/);
});

test("energy = TDP × utilisation × time between reads", () => {
  const root = tempDir();
  writeStat(root, 0, 0);
  const reader = new EstimateCpuReader(root, 100, "Test CPU", "test", 0);
  writeStat(root, 25, 75); // 25 % busy
  assert.deepEqual(reader.read(2000), [{ device: "Test CPU", energyJ: 50, powerW: 25 }]);
  writeStat(root, 125, 75); // 100 % busy
  assert.equal(reader.read(3000)[0]?.energyJ, 150);
  assert.equal(reader.devices()[0]?.provenance, "estimate");
});

test("the backend uses cpuTdp, else a per-logical-CPU default, and says it is an estimate", async () => {
  const root = tempDir();
  writeStat(root, 0, 0);
  writeFileSync(join(root, "cpuinfo"), "processor\t: 0\nmodel name\t: Fake Xeon 1234\n");
  const env = { CARBONTRACKER_PROC_ROOT: root };
  const opened = await estimateCpuBackend.open({ env, pid: 1, devicesByPid: false });
  assert.ok("reader" in opened);
  assert.equal(opened.reader.devices()[0]?.device, "Fake Xeon 1234");
  assert.equal((opened.reader as EstimateCpuReader).tdpW, 15, "2 logical CPUs × 7.5 W");
  assert.match(opened.notices?.[0]?.message ?? "", /is an ESTIMATE of 15\.00W TDP/);
  const withTdp = await estimateCpuBackend.open({ env, pid: 1, devicesByPid: false, cpuTdp: 65 });
  assert.ok("reader" in withTdp && (withTdp.reader as EstimateCpuReader).tdpW === 65);
  const missing = await estimateCpuBackend.open({
    env: { CARBONTRACKER_PROC_ROOT: join(root, "nope") },
    pid: 1,
    devicesByPid: false,
  });
  assert.ok("skip" in missing && /cannot read/.test(missing.skip.reason));
});
