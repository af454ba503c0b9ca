import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { attributeInterval, gpuHolders, intervalJobs } from "../../../src/cluster/agent/attribution.js";
import { cgroupV1Jobs, cgroupV2Jobs, JobFactsCache } from "../../../src/cluster/agent/cgroup-jobs.js";
import { PendingEnergy } from "../../../src/cluster/agent/pending-energy.js";
import { splitTick } from "../../../src/cluster/agent/tick-split.js";
import { parseListpids } from "../../../src/cluster/agent/listpids.js";
import { NodeBusyCpu, processCpu } from "../../../src/cluster/agent/proc-files.js";

const put = (path: string, text: string): void => {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
};

function fakeProc(): string {
  const proc = mkdtempSync(join(tmpdir(), "ct-proc-"));
  put(join(proc, "stat"), "cpu  1000 20 300 5000 80 10 5 0 0 0\ncpu0 500 10 150 2500 40 5 2 0 0 0\n");
  put(
    join(proc, "182734", "stat"),
    "182734 (python (train)) R 1 2 3 0 -1 4194304 100 0 0 0 1234 66 0 0 20 0 1 0 98765 1000 10 18446744073709551615\n",
  );
  put(
    join(proc, "182734", "environ"),
    "SLURM_JOB_ID=4711\0SLURM_JOB_USER=ada\0SLURM_STEP_GPUS=2,3\0CUDA_VISIBLE_DEVICES=0,1\0",
  );
  return proc;
}

test("scontrol listpids rows: padded, trailing spaces, '-' placeholders, named steps", () => {
  const text =
    "PID      JOBID    STEPID   LOCALID GLOBALID\n182733   4711     0        0       0        \n182721   4711     0        -       -        \n181902   4711     batch    0       0        \n";
  assert.deepEqual(parseListpids(text), [
    { pid: 182733, jobId: "4711", stepId: "0", localId: "0", globalId: "0" },
    { pid: 182721, jobId: "4711", stepId: "0", localId: undefined, globalId: undefined },
    { pid: 181902, jobId: "4711", stepId: "batch", localId: "0", globalId: "0" },
  ]);
});

test("/proc: a process's CPU time past a command name with parentheses, the node's busy time", () => {
  const proc = fakeProc();
  assert.deepEqual(processCpu(proc, 182734), { cpuS: 13, startTicks: "98765" });
  assert.equal(processCpu(proc, 1), undefined);
  const busy = new NodeBusyCpu(proc);
  assert.equal(busy.read(), (1000 + 20 + 300 + 10 + 5) / 100);
  writeFileSync(join(proc, "stat"), "cpu  1100 20 300 5000 80 10 5 0 0 0\n");
  assert.equal(busy.read(), (1100 + 20 + 300 + 10 + 5) / 100, "read again from the file kept open");
  busy.close();
  assert.equal(new NodeBusyCpu(join(proc, "missing")).read(), undefined);
});

test("cgroup v2: job_N and SLUID folders, CPU time from cpu.stat, user and GPUs from the processes", () => {
  const proc = fakeProc();
  const root = mkdtempSync(join(tmpdir(), "ct-cgroup2-"));
  const scope = join(root, "system.slice", "slurmstepd.scope");
  put(join(scope, "system", "cgroup.procs"), "900\n");
  put(
    join(scope, "job_4711", "cpu.stat"),
    "usage_usec 5934120412\nuser_usec 5890011022\nsystem_usec 44109390\n",
  );
  put(join(scope, "job_4711", "step_0", "user", "task_1", "cgroup.procs"), "182734\n");
  put(join(scope, "job_4711", "step_0", "user", "task_0", "cgroup.procs"), "182733\n");
  put(
    join(root, "system.slice", "gpu-a07_slurmstepd.scope", "s5K1KKYAYG5D00", "cpu.stat"),
    "usage_usec 1000000\n",
  );
  put(
    join(
      root,
      "system.slice",
      "gpu-a07_slurmstepd.scope",
      "s5K1KKYAYG5D00",
      "step_batch",
      "user",
      "task_0",
      "cgroup.procs",
    ),
    "777\n",
  );
  const jobs = cgroupV2Jobs(root, proc)!;
  assert.deepEqual(
    jobs.map((j) => ({ ...j, pids: [...j.pids].sort() })),
    [
      { jobId: "s5K1KKYAYG5D00", cpuS: 1, pids: [777], source: "cgroup-v2", gpus: [] },
      {
        jobId: "4711",
        cpuS: 5934.120412,
        pids: [182733, 182734],
        source: "cgroup-v2",
        user: "ada",
        gpus: ["2", "3"],
      },
    ],
  );
  assert.equal(cgroupV2Jobs(mkdtempSync(join(tmpdir(), "ct-none-")), proc), undefined);
});

test("cgroup v1: cpuacct/slurm/uid_N/job_N with cpuacct.usage in ns", () => {
  const proc = fakeProc();
  const root = mkdtempSync(join(tmpdir(), "ct-cgroup1-"));
  const job = join(root, "cpuacct", "slurm", "uid_1000", "job_4711");
  put(join(job, "cpuacct.usage"), "5934120412331\n");
  put(join(job, "step_0", "task_1", "tasks"), "182734\n");
  put(join(root, "cpuacct", "slurm", "uid_1001", "job_4712", "cpuacct.usage"), "2000000000\n");
  const jobs = cgroupV1Jobs(root, proc, (uid) => (uid === "1001" ? "bob" : undefined))!;
  assert.deepEqual(jobs, [
    {
      jobId: "4711",
      cpuS: 5934.120412331,
      pids: [182734],
      source: "cgroup-v1",
      user: "ada",
      gpus: ["2", "3"],
    },
    { jobId: "4712", cpuS: 2, pids: [], source: "cgroup-v1", user: "bob", gpus: [] },
  ]);
});

test("cgroup v2, look after look: a job's processes are read when the job or a step is new, or none could be read yet", () => {
  const proc = mkdtempSync(join(tmpdir(), "ct-proc-"));
  const root = mkdtempSync(join(tmpdir(), "ct-cgroup2-"));
  const job = join(root, "system.slice", "slurmstepd.scope", "job_5001");
  put(join(job, "cpu.stat"), "usage_usec 2000000\n");
  // The step's cgroup exists before its first process does.
  put(join(job, "step_0", "user", "task_0", "cgroup.procs"), "");
  const cache = new JobFactsCache();
  const look = () => {
    const [sighting] = cgroupV2Jobs(root, proc, cache)!;
    return { user: sighting?.user, gpus: sighting?.gpus, pids: [...(sighting?.pids ?? [])].sort() };
  };
  assert.deepEqual(look(), { user: undefined, gpus: [], pids: [] });
  put(join(job, "step_0", "user", "task_0", "cgroup.procs"), "8001\n");
  put(join(proc, "8001", "environ"), "SLURM_JOB_ID=5001\0SLURM_JOB_USER=ada\0SLURM_STEP_GPUS=0\0");
  assert.deepEqual(look(), { user: "ada", gpus: ["0"], pids: [8001] }, "read: none could be before");
  // More processes in the same step: its facts stand, and nothing is listed or read.
  put(join(job, "step_0", "user", "task_1", "cgroup.procs"), "8003\n");
  assert.deepEqual(look(), { user: "ada", gpus: ["0"], pids: [] });
  // A second step, on another GPU of the job's.
  put(join(job, "step_1", "user", "task_0", "cgroup.procs"), "8002\n");
  put(join(proc, "8002", "environ"), "SLURM_JOB_ID=5001\0SLURM_JOB_USER=ada\0SLURM_STEP_GPUS=1\0");
  assert.deepEqual(look(), { user: "ada", gpus: ["0", "1"], pids: [8001, 8002, 8003] });
  // Without cpu.stat the CPU time is summed over the processes: they are listed at every look.
  rmSync(join(job, "cpu.stat"));
  assert.deepEqual(look().pids, [8001, 8002, 8003]);
});

test("an interval's energy: CPU by share of busy CPU time, GPUs by assignment, the rest unattributed", () => {
  const split = attributeInterval(
    [
      { component: "cpu", device: "cpu:0", energyJ: 100 },
      { component: "gpu", device: "gpu:2", energyJ: 300, gpuId: "2" },
      { component: "gpu", device: "gpu:3", energyJ: 200, gpuId: "3" },
      { component: "gpu", device: "gpu:4", energyJ: 50, gpuId: "4" },
    ],
    [
      { jobId: "A", cpuS: 6, gpus: ["2", "3"] },
      { jobId: "B", cpuS: 2, gpus: ["3"] },
    ],
    10,
  );
  assert.deepEqual(Object.fromEntries([...split.jobs].map(([j, m]) => [j, Object.fromEntries(m)])), {
    A: { "cpu:0": 60, "gpu:2": 300, "gpu:3": 100 },
    B: { "cpu:0": 20, "gpu:3": 100 },
  });
  assert.deepEqual(Object.fromEntries(split.unattributed), {
    "cpu:0": 20,
    "gpu:2": 0,
    "gpu:3": 0,
    "gpu:4": 50,
  });
  // Jobs' CPU time above the node's (counters read a moment apart) shares all of it, never more.
  const over = attributeInterval(
    [{ component: "cpu", device: "cpu:0", energyJ: 90 }],
    [
      { jobId: "A", cpuS: 12, gpus: [] },
      { jobId: "B", cpuS: 6, gpus: [] },
    ],
    10,
  );
  assert.deepEqual(Object.fromEntries([...over.jobs].map(([j, m]) => [j, m.get("cpu:0")])), { A: 60, B: 30 });
});

test("ticks on sampled power are split at once and rescaled when the counter is read: each job keeps its share of what the counter moved", () => {
  // A GPU shared by jobs A and B, then A alone. Its counter (J) is read at 0 and at the third
  // tick; the ticks between read power alone (energyAsOfMs set) and carry the power integral.
  const gpu = { component: "gpu" as const, device: "gpu:0", gpuId: "0" };
  const reading = (energyJ: number, sampledEnergyJ: number, sampledOnly: boolean) => ({
    device: "gpu:0",
    energyJ,
    powerW: 100,
    sampledEnergyJ,
    ...(sampledOnly ? { energyAsOfMs: 0 } : {}),
  });
  const readings = [
    reading(0, 0, false),
    reading(0, 100, true),
    reading(0, 200, true),
    reading(360, 300, false),
  ];
  const pending = new PendingEnergy([readings[0]!]);
  const jobs = [
    [
      { jobId: "A", cpuS: 0, gpus: ["0"] },
      { jobId: "B", cpuS: 0, gpus: ["0"] },
    ],
    [{ jobId: "A", cpuS: 0, gpus: ["0"] }],
    [{ jobId: "A", cpuS: 0, gpus: ["0"] }],
  ];
  const given = new Map<string, number>();
  const settled = new Map<string, number>();
  const settledNode: number[] = [];
  for (let i = 1; i <= 3; i += 1) {
    const tick = pending.tick(readings[i - 1], readings[i]!);
    const split = splitTick([{ delta: { ...gpu, energyJ: tick.energyJ }, tick }], jobs[i - 1]!, 0, pending);
    for (const [job, m] of split.given) given.set(job, (given.get(job) ?? 0) + (m.get("gpu:0") ?? 0));
    for (const [job, m] of split.settled) settled.set(job, (settled.get(job) ?? 0) + (m.get("gpu:0") ?? 0));
    settledNode.push(split.devices.get("gpu:0")!.settledJ);
  }
  // Sampled: 100 J a tick; the counter moved 360 J, so every tick is worth 120 J. B had half of
  // the first tick; A the rest.
  const round = (m: Map<string, number>) =>
    Object.fromEntries([...m].map(([k, v]) => [k, Math.round(v * 1e6) / 1e6]));
  assert.deepEqual(round(given), { A: 300, B: 60 });
  // The metrics count only what a counter read settled: nothing before the third tick.
  assert.deepEqual(round(settled), { A: 300, B: 60 });
  assert.deepEqual(
    settledNode.map((j) => Math.round(j * 1e6) / 1e6),
    [0, 0, 360],
  );
});

test("an interval's GPUs go to the jobs that held them when it began; its CPU to the jobs' CPU time at its end", () => {
  const atStart = [
    { jobId: "A", cpuS: 5, gpus: ["0"] },
    { jobId: "B", cpuS: 5, gpus: ["1"] },
  ];
  // B ended during the interval, C started with GPU 2.
  const now = [
    { jobId: "A", cpuS: 3, gpus: ["0"] },
    { jobId: "C", cpuS: 1, gpus: ["2"] },
  ];
  assert.deepEqual(intervalJobs(now, atStart), [
    { jobId: "A", cpuS: 3, gpus: ["0"] },
    { jobId: "C", cpuS: 1, gpus: [] },
    { jobId: "B", cpuS: 0, gpus: ["1"] },
  ]);
  assert.equal(gpuHolders(atStart), "0=A,1=B");
  assert.notEqual(gpuHolders(now), gpuHolders(atStart));
  // CPU time alone changing is no change of hands.
  assert.equal(
    gpuHolders([
      { jobId: "A", cpuS: 9, gpus: ["0"] },
      { jobId: "B", cpuS: 1, gpus: ["1"] },
    ]),
    "0=A,1=B",
  );
});
