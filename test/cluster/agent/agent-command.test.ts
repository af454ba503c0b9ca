import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runAgentCommand } from "../../../src/cli/agent-command.js";
import { skipUnlessInCi } from "../../helpers/ci-only.js";
import { FakePowercap, RecordClock, singlePackageLayout } from "../../helpers/fake-powercap.js";

const put = (path: string, text: string): void => {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
};

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

  const [file] = readdirSync(logDir);
  const records = readFileSync(join(logDir, file!), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
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
  // The node's energy is what the counters moved by over the agent's run.
  const injected = fake.injectedJ("intel-rapl:0", ...clock.window(node.start_t, node.end_t));
  assert.ok(Math.abs(node.energy_j - injected) < 2, `${node.energy_j} J measured, ${injected} J injected`);
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
