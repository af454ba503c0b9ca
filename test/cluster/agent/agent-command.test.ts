import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runAgentCommand } from "../../../src/cli/agent-command.js";
import { skipUnlessInCi } from "../../helpers/ci-only.js";
import { jsonlRecords } from "../../helpers/jsonl-records.js";
import { createFakeNvml, type FakeGpu } from "../../helpers/fake-nvml.js";
import { FakePowercap, RecordClock, singlePackageLayout } from "../../helpers/fake-powercap.js";

const put = (path: string, text: string): void => {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
};

/** Every record the agent wrote to its `agent_*_carbontracker.jsonl` in `logDir`, in order. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- records are checked field by field
const agentRecords = (logDir: string): any[] => jsonlRecords(logDir);

const promtoolSkip = skipUnlessInCi(
  spawnSync("promtool", ["--version"]).status === 0,
  "promtool not installed",
);

test("bad usage exits 2 with the reason; --help exits 0", async () => {
  const err: string[] = [];
  const io = { stdout: () => {}, stderr: (t: string) => err.push(t) };
  assert.equal(await runAgentCommand(["--interval", "0"], io, {}), 2);
  assert.match(err.join(""), /--interval must be a positive number of seconds, got "0"/);
  assert.equal(await runAgentCommand(["--listen", "nowhere"], io, {}), 2);
  assert.match(err.join(""), /--listen must be host:port/);
  const out: string[] = [];
  assert.equal(await runAgentCommand(["--help"], { stdout: (t) => out.push(t), stderr: () => {} }, {}), 0);
  assert.match(out.join(""), /127\.0\.0\.1:9464/);
});

test("the agent splits the node's CPU energy over two cgroup v2 jobs by CPU time and serves valid metrics", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ct-agent-"));
  const proc = join(dir, "proc");
  const cgroup = join(dir, "cgroup");
  const scope = join(cgroup, "system.slice", "slurmstepd.scope");
  const fake = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 60 })).start();
  // Job 101 uses 50% of the node's busy CPU time, job 102 (a SLUID folder) 25%, other processes the rest.
  let busyTicks = 0;
  let usage101 = 0;
  let usage102 = 0;
  const write = (): void => {
    put(join(proc, "stat"), `cpu  ${busyTicks} 0 0 100000 0 0 0 0 0 0\n`);
    if (usage101 >= 0) put(join(scope, "job_101", "cpu.stat"), `usage_usec ${usage101}\n`);
    if (usage102 >= 0) put(join(scope, "s5K1KKYAYG5D00", "cpu.stat"), `usage_usec ${usage102}\n`);
  };
  put(join(proc, "5001", "environ"), "SLURM_JOB_ID=102\0SLURM_JOB_USER=bob\0");
  put(join(scope, "s5K1KKYAYG5D00", "step_0", "user", "task_0", "cgroup.procs"), "5001\n");
  put(join(proc, "5000", "environ"), "SLURM_JOB_ID=101\0SLURM_JOB_USER=ada\0");
  put(join(scope, "job_101", "step_0", "user", "task_0", "cgroup.procs"), "5000\n");
  write();
  const advance = setInterval(() => {
    busyTicks += 20;
    if (usage101 >= 0) usage101 += 100_000;
    if (usage102 >= 0) usage102 += 50_000;
    write();
  }, 25);
  const out: string[] = [];
  const logDir = join(dir, "logs");
  const clock = new RecordClock();
  const done = runAgentCommand(
    [
      "--listen",
      "127.0.0.1:0",
      "--interval",
      "0.2",
      "--duration",
      "3",
      "--log-dir",
      logDir,
      "--components",
      "cpu",
      "--country",
      "DK",
      "--node",
      "n1",
    ],
    { stdout: (t) => out.push(t), stderr: (t) => out.push(t) },
    {
      CARBONTRACKER_POWERCAP_ROOT: fake.root,
      CARBONTRACKER_PROC_ROOT: proc,
      CARBONTRACKER_CGROUP_ROOT: cgroup,
      CARBONTRACKER_OFFLINE: "1",
      CARBONTRACKER_SCONTROL: "/nonexistent",
    },
  );
  await new Promise((r) => setTimeout(r, 1500));
  const url = /Metrics at (\S+)/.exec(out.join(""))?.[1];
  assert.ok(url, out.join(""));
  const metrics = await (await fetch(url)).text();
  usage101 = -1;
  rmSync(join(scope, "job_101"), { recursive: true });
  await new Promise((r) => setTimeout(r, 600));
  usage102 = -1;
  rmSync(join(scope, "s5K1KKYAYG5D00"), { recursive: true });
  assert.equal(await done, 0);
  clock.end();
  clearInterval(advance);
  fake.stop();

  assert.match(
    metrics,
    /^carbontracker_node_energy_joules_total\{component="cpu",device="cpu:0",node="n1"\} \d/m,
  );
  assert.match(
    metrics,
    /^carbontracker_job_energy_joules_total\{job_id="101",user="ada",component="cpu",node="n1"\} \d/m,
  );
  assert.match(
    metrics,
    /^carbontracker_job_energy_joules_total\{job_id="102",user="bob",component="cpu",node="n1"\} \d/m,
  );
  assert.match(
    metrics,
    /^carbontracker_carbon_intensity_grams_per_kilowatt_hour\{source="static",location="DK",node="n1"\} \d/m,
  );
  await t.test("promtool check metrics finds nothing to say", { skip: promtoolSkip }, () => {
    const check = spawnSync("promtool", ["check", "metrics"], { input: metrics, encoding: "utf8" });
    assert.equal(check.error, undefined, `promtool: ${check.error?.message}`);
    assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
    assert.equal(`${check.stdout}${check.stderr}`.trim(), "");
  });

  const records = agentRecords(logDir);
  assert.deepEqual(
    records.map((r) => r.type),
    ["agent_start", "job", "job", "node"],
  );
  const [a, b] = [records[1], records[2]];
  assert.deepEqual(
    [a.job_id, a.user, a.attribution, b.job_id, b.user, b.attribution],
    ["101", "ada", "cgroup-v2", "102", "bob", "cgroup-v2"],
  );
  const node = records[3];
  // Every joule the node used is either a job's or unattributed, once.
  assert.ok(Math.abs(a.energy_j + b.energy_j + node.unattributed_energy_j - node.energy_j) < 1e-6);
  // The node's energy is what the counters moved by over the agent's run (a range: a read may
  // see a value this process's fake wrote but had not recorded, a whole tick when it lagged).
  const [low, high] = fake.history.injectedRangeJ("intel-rapl:0", ...clock.window(node.start_t, node.end_t));
  assert.ok(
    node.energy_j > low - 2 && node.energy_j < high + 2,
    `${node.energy_j} J measured, the counter moved ${low}..${high} J`,
  );
  // Shares follow CPU time: 101 used twice 102's CPU time while both ran (wide bounds: a noisy machine).
  const ratio = a.cpu_time_s / b.cpu_time_s;
  assert.ok(a.energy_j > 0 && b.energy_j > 0);
  assert.ok(ratio > 1.2, `CPU time ratio ${ratio}`);
  assert.ok(
    a.energy_j / a.cpu_time_s > 0 &&
      Math.abs(a.energy_j / a.cpu_time_s / (b.energy_j / b.cpu_time_s) - 1) < 0.5,
  );
  assert.match(out.join(""), /SLURM job 101 of ada found \(cgroup-v2\)/);
  assert.match(out.join(""), /CarbonTracker agent stopped: [\d.]+ J/);
  fake.dispose();
});

test("the agent reads a GPU's dear energy counter only when the GPU changes hands and at close, and a job's record is what the counter moved while it held the GPU", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ct-agent-gpu-"));
  const proc = join(dir, "proc");
  const cgroup = join(dir, "cgroup");
  const scope = join(cgroup, "system.slice", "slurmstepd.scope");
  // The counters move at 220 and 110 W while the boards report 150 and 75 W: a record counted
  // from sampled power, not rescaled to the counter, would be a third low.
  const counterW = [220, 110];
  const gpus: FakeGpu[] = [
    { name: "NVIDIA H100 80GB HBM3", uuid: "GPU-aaaaaaaa-0000-0000-0000-000000000000", powerMw: 150_000 },
    { name: "NVIDIA H100 80GB HBM3", uuid: "GPU-bbbbbbbb-0000-0000-0000-000000000000", powerMw: 75_000 },
  ];
  // The counters move with the clock inside the fake library: a counter rewritten by this
  // process's timer stood still while the agent, in this process, started (1.2 s under load),
  // and the job's record then held that time's energy too.
  const startMs = Date.now();
  const nvml = createFakeNvml({
    logEnergyCalls: true,
    gpus: gpus.map((g, i) => ({
      ...g,
      energyMj: 1_000_000,
      energyRateMw: counterW[i]! * 1000,
      energyAtMs: startMs,
    })),
  });
  for (const [job, pid, gpu] of [
    ["201", 6001, "0"],
    ["202", 6002, "1"],
  ] as const) {
    put(
      join(proc, String(pid), "environ"),
      `SLURM_JOB_ID=${job}\0SLURM_JOB_USER=ada\0SLURM_STEP_GPUS=${gpu}\0`,
    );
    put(join(scope, `job_${job}`, "cpu.stat"), "usage_usec 1000\n");
    put(join(scope, `job_${job}`, "step_0", "user", "task_0", "cgroup.procs"), `${pid}\n`);
  }
  put(join(proc, "stat"), "cpu  100 0 0 100000 0 0 0 0 0 0\n");
  const out: string[] = [];
  const logDir = join(dir, "logs");
  const done = runAgentCommand(
    ["--listen", "127.0.0.1:0", "--interval", "0.2", "--duration", "3.2", "--log-dir", logDir].concat([
      "--components",
      "gpu",
      "--country",
      "DK",
      "--node",
      "n1",
    ]),
    { stdout: (t) => out.push(t), stderr: (t) => out.push(t) },
    {
      CARBONTRACKER_NVML_LIBRARY: nvml.library,
      CARBONTRACKER_PROC_ROOT: proc,
      CARBONTRACKER_CGROUP_ROOT: cgroup,
      CARBONTRACKER_OFFLINE: "1",
      CARBONTRACKER_SCONTROL: "/nonexistent",
    },
  );
  await new Promise((r) => setTimeout(r, 1600));
  const callsWhileRunning = nvml.counterCalls();
  rmSync(join(scope, "job_201"), { recursive: true });
  assert.equal(await done, 0, out.join(""));
  const callsAtEnd = nvml.counterCalls();
  nvml.cleanup();

  const records = agentRecords(logDir);
  assert.deepEqual(
    records.map((r) => r.type),
    ["agent_start", "job", "node"],
  );
  const [job, node] = [records[1], records[2]];
  assert.deepEqual([job.job_id, job.gpus], ["201", ["0"]]);
  // Ticks 0.2 s apart read power alone: the counters were read by detection and the first
  // reading (before the jobs were found), not at each of the ~8 ticks since.
  assert.ok(callsWhileRunning <= 4, `${callsWhileRunning} counter calls in 1.6 s of 0.2 s ticks`);
  // Job 201's end (GPU 0 changing hands) read both counters, the close both again.
  assert.ok(callsAtEnd - callsWhileRunning <= 4, `${callsAtEnd - callsWhileRunning} counter calls after`);
  // Job 201 held GPU 0 from the agent's first reading to the tick that found it gone (its
  // record's t): its energy is what GPU 0's counter moved in that time, at 220 W, not at the
  // reported 150 W (within 5 %: reads and sightings are milliseconds apart, the counter moves by
  // the millisecond).
  const watts = job.energy_j / ((job.t - job.start_t) / 1000);
  assert.ok(Math.abs(watts / counterW[0]! - 1) < 0.05, `job 201 at ${watts.toFixed(1)} W, counter 220 W`);
  // The node's energy per GPU is what its counter moved between the agent's first and last reads.
  const gpu = (i: number) => node.devices.find((d: { device: string }) => d.device.endsWith(`(GPU ${i})`));
  for (const i of [0, 1]) {
    const measured = gpu(i);
    const moved = (counterW[i]! * (node.end_t - node.start_t)) / 1000;
    assert.ok(
      Math.abs(measured.energy_j - moved) < 0.05 * moved,
      `GPU ${i}: ${measured.energy_j} J, moved ${moved} J`,
    );
  }
  // Every joule is a job's or unattributed, once.
  const gpu0 = gpu(0);
  assert.ok(Math.abs(job.energy_j + gpu0.unattributed_j - gpu0.energy_j) < 1e-6);
});
