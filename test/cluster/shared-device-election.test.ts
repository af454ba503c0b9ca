import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { electSharedDeviceMeasurer } from "../../src/cluster/shared-device-election.js";
import { componentsAfterElection, slurmStartFields } from "../../src/cluster/rank-components.js";
import { jobLogDir } from "../../src/cluster/job-log-dir.js";

const rankEnv = (dir: string, rank: number, extra: Record<string, string> = {}) => ({
  SLURM_JOB_ID: "4711",
  SLURM_STEP_ID: "0",
  SLURMD_NODENAME: "gpu-a07",
  SLURM_PROCID: String(rank),
  SLURM_LOCALID: String(rank),
  CARBONTRACKER_LOCK_DIR: dir,
  ...extra,
});

test("outside SLURM the tracker measures every device", () => {
  const election = electSharedDeviceMeasurer({});
  assert.equal(election.measuresSharedDevices, true);
  assert.match(election.reason, /not inside a SLURM job/);
  assert.deepEqual(componentsAfterElection(["gpu", "cpu"], election), ["gpu", "cpu"]);
});

test("of four ranks on a node exactly one measures the shared devices, and the others say which", () => {
  const dir = mkdtempSync(join(tmpdir(), "ct-election-"));
  const elections = [2, 0, 1, 3].map((rank) =>
    electSharedDeviceMeasurer(rankEnv(dir, rank), { pid: 1000 + rank, isAlive: () => true }),
  );
  assert.deepEqual(
    elections.map((e) => e.measuresSharedDevices),
    [true, false, false, false],
  );
  assert.match(
    elections[0]!.reason,
    /^rank 2 \(pid 1002, step 0\) measures this node's shared devices \(CPU, DRAM\) for job 4711 on gpu-a07/,
  );
  assert.match(
    elections[1]!.reason,
    /rank 2 \(pid 1002, step 0\) measures .*; rank 0 \(pid 1000, step 0\) measures only its own GPUs/,
  );
  assert.deepEqual(componentsAfterElection(["gpu", "cpu"], elections[1]!), ["gpu"]);
  assert.deepEqual(slurmStartFields({ job_id: "4711", rank: "0" }, elections[1]!), {
    job_id: "4711",
    rank: "0",
    shared_devices: "left_to_other",
    shared_devices_reason: elections[1]!.reason,
    shared_devices_measurer: { rank: "2", localId: "2", pid: 1002, step: "0" },
  });
  const lock = join(dir, "job-4711-gpu-a07.lock");
  assert.equal(JSON.parse(readFileSync(lock, "utf8")).pid, 1002);
  elections[0]!.release();
  assert.equal(existsSync(lock), false);
  const next = electSharedDeviceMeasurer(rankEnv(dir, 3), { pid: 1003, isAlive: () => true });
  assert.equal(next.measuresSharedDevices, true);
  next.release();
});

test("another job or another node has its own lock", () => {
  const dir = mkdtempSync(join(tmpdir(), "ct-election-"));
  const a = electSharedDeviceMeasurer(rankEnv(dir, 0), { pid: 1, isAlive: () => true });
  const b = electSharedDeviceMeasurer(rankEnv(dir, 4, { SLURMD_NODENAME: "gpu-a08" }), {
    pid: 2,
    isAlive: () => true,
  });
  const c = electSharedDeviceMeasurer(rankEnv(dir, 0, { SLURM_JOB_ID: "4712" }), {
    pid: 3,
    isAlive: () => true,
  });
  assert.deepEqual(
    [a, b, c].map((e) => e.measuresSharedDevices),
    [true, true, true],
  );
  for (const e of [a, b, c]) e.release();
});

test("a lock left by a killed tracker is taken over", () => {
  const dir = mkdtempSync(join(tmpdir(), "ct-election-"));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "job-4711-gpu-a07.lock"),
    JSON.stringify({ pid: 999_999, rank: "0", host: "gpu-a07", t: 0 }),
  );
  const e = electSharedDeviceMeasurer(rankEnv(dir, 1), { pid: 1001, isAlive: (pid) => pid !== 999_999 });
  assert.equal(e.measuresSharedDevices, true);
  e.release();
});

test("where no lock can be made (a file blocks the folder), SLURM_LOCALID 0 measures", () => {
  const parent = mkdtempSync(join(tmpdir(), "ct-election-"));
  const dir = join(parent, "locks");
  writeFileSync(dir, "not a folder");
  const first = electSharedDeviceMeasurer(rankEnv(dir, 0));
  const other = electSharedDeviceMeasurer(rankEnv(dir, 1));
  assert.equal(first.measuresSharedDevices, true);
  assert.equal(other.measuresSharedDevices, false);
  assert.match(
    other.reason,
    /^the task with SLURM_LOCALID 0 measures .* \(no lock could be made in .*locks \(EEXIST\)\)/,
  );
});

test("the default log folder groups runs by job", () => {
  assert.equal(jobLogDir("logs", {}), "logs");
  assert.equal(jobLogDir("logs", { SLURM_JOB_ID: "4711" }), join("logs", "slurm-4711"));
  assert.equal(
    jobLogDir("logs", { SLURM_JOB_ID: "4720", SLURM_ARRAY_JOB_ID: "4711", SLURM_ARRAY_TASK_ID: "9" }),
    join("logs", "slurm-4711_9"),
  );
});
