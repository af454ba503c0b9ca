// On a real one-host SLURM cluster (test/cluster/start-slurm.sh; skipped where none runs): an
// sbatch job of four tasks, each wrapped by a tracker, counts the node's CPU energy once; the
// agent attributes two concurrent jobs found with `scontrol listpids`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readJsonlRecords } from "../../src/logs/parser/jsonl-run.js";
import { readLogs } from "../../src/logs/parser/read-logs.js";
import { groupTotals } from "../../src/reports/group-totals.js";
import { skipUnlessInCi } from "../helpers/ci-only.js";
import { FakePowercap, RecordClock, singlePackageLayout } from "../helpers/fake-powercap.js";

const cluster = spawnSync("sinfo", ["-h", "-o", "%t"], { encoding: "utf8" });
// CI starts the cluster (.ci/run): its absence there must fail, not skip.
const skip = skipUnlessInCi(
  cluster.status === 0 && /idle|mix|alloc/.test(cluster.stdout),
  "no SLURM cluster running",
);
const repo = resolve(".");

/** Every run's JSONL records in a log folder, read as the parser reads them. */
function readJsonlRuns(dir: string): { file: string; records: Record<string, unknown>[] }[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".jsonl"))
    .sort()
    .map((name) => ({
      file: name,
      records: readJsonlRecords(readFileSync(join(dir, name), "utf8")).records,
    }));
}
const TSX = `${process.execPath} --import tsx`;

function sbatch(args: string[], env: Record<string, string>): Promise<{ jobId: string; out: string }> {
  return new Promise((done, fail) => {
    execFile(
      "sbatch",
      ["--parsable", "--wait", `--chdir=${repo}`, ...args],
      { env: { ...process.env, ...env }, timeout: 90_000 },
      (error, stdout, stderr) => {
        if (error) fail(new Error(`sbatch failed: ${stderr}${stdout}`));
        else done({ jobId: stdout.trim().split(";")[0]!, out: stdout });
      },
    );
  });
}

function seams(fake: FakePowercap, dir: string): Record<string, string> {
  return {
    CARBONTRACKER_POWERCAP_ROOT: fake.root,
    CARBONTRACKER_OFFLINE: "1",
    CARBONTRACKER_LOCK_DIR: join(dir, "locks"),
  };
}

async function fourTasks(dir: string, fake: FakePowercap, rankCommand: string): Promise<void> {
  const logDir = join(dir, "logs");
  const script = `#!/bin/sh\nsrun -n 4 --overcommit ${rankCommand.replace("LOGDIR", logDir)}\n`;
  const clock = new RecordClock();
  const { jobId } = await sbatch(
    ["-n", "4", "--overcommit", "-o", join(dir, "job.out"), "--wrap", script.split("\n")[1]!],
    seams(fake, dir),
  );
  clock.end();
  fake.stop();
  const runs = readJsonlRuns(logDir);
  assert.equal(runs.length, 4, readFileSync(join(dir, "job.out"), "utf8"));
  const starts = runs.map(
    (r) =>
      r.records.find((x) => x.type === "start") as {
        slurm?: Record<string, string>;
        devices: { device: string }[];
      },
  );
  // Every record carries the job, node and rank; the ranks are 0..3 of this job.
  assert.deepEqual(
    starts.map((s) => s.slurm?.job_id),
    [jobId, jobId, jobId, jobId],
  );
  assert.deepEqual(starts.map((s) => s.slurm?.rank).sort(), ["0", "1", "2", "3"]);
  // Exactly one tracker measured the node's CPU package.
  const measuring = starts.filter((s) => s.devices.some((d) => d.device === "cpu:0"));
  assert.equal(measuring.length, 1);
  const parsed = await readLogs([logDir]);
  const [job] = groupTotals(parsed.runs, parsed.agentJobs, "job");
  assert.equal(job!.key, jobId);
  assert.deepEqual(job!.duplicates, []);
  const counted = job!.sources.filter((d) => d.device === "cpu:0");
  assert.equal(counted.length, 1);
  const countedJ = (counted[0]!.energyKwh / 1.58) * 3.6e6;
  // The job's CPU energy equals what the node's counter moved by while the measuring rank ran.
  const epoch = runs
    .flatMap((r) => r.records)
    .find(
      (x) =>
        x.type === "epoch" &&
        (x as { devices: { device: string }[] }).devices.some((d) => d.device === "cpu:0"),
    ) as { start_t: number; end_t: number };
  // Between two reads the counter moved by an amount in [lowJ, highJ]: a tracker may read a
  // value the fake has written but not yet recorded, and on a loaded machine the fake's writer
  // (this process's timer) can lag 100 ms, one step of 4.5 J at 45 W (CI's 92.2 against 97.1 J).
  const [lowJ, highJ] = fake.history.injectedRangeJ(
    "intel-rapl:0",
    ...clock.window(epoch.start_t, epoch.end_t),
  );
  const toleranceJ = Math.max(1.5, 0.02 * lowJ);
  assert.ok(
    countedJ > lowJ - toleranceJ && countedJ < highJ + toleranceJ,
    `${countedJ} J counted, the node's counter moved by ${lowJ}..${highJ} J`,
  );
}

test(
  "an sbatch job of four tasks, each tracked, counts the node's CPU energy once",
  { skip, timeout: 120_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "ct-slurm-"));
    const fake = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 45 })).start();
    try {
      await fourTasks(dir, fake, `${TSX} test/cluster/fixtures/rank-tracker.ts LOGDIR 2`);
    } finally {
      fake.dispose();
    }
  },
);

test(
  "srun carbontracker: four ranks of the CLI count the node's CPU energy once, and say who measured it",
  { skip, timeout: 120_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "ct-slurm-cli-"));
    const fake = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 45 })).start();
    try {
      await fourTasks(
        dir,
        fake,
        `${process.execPath} dist/src/cli/main.js --log-dir LOGDIR --country DK sleep 2`,
      );
      const starts = readJsonlRuns(join(dir, "logs")).map(
        (r) => r.records.find((x) => x.type === "start") as { slurm: Record<string, string> },
      );
      assert.deepEqual(starts.map((s) => s.slurm.shared_devices).sort(), [
        "left_to_other",
        "left_to_other",
        "left_to_other",
        "measured",
      ]);
      for (const s of starts)
        assert.match(
          s.slurm.shared_devices_reason!,
          /measures this node's shared devices \(CPU, DRAM\) for job/,
        );
    } finally {
      fake.dispose();
    }
  },
);

test(
  "the agent attributes two concurrent SLURM jobs found with scontrol listpids",
  { skip, timeout: 120_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "ct-slurm-agent-"));
    const fake = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 50 })).start();
    const logDir = join(dir, "logs");
    const clock = new RecordClock();
    const agent = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "test/cluster/fixtures/agent-main.ts",
        "--listen",
        "127.0.0.1:0",
        "--interval",
        "0.3",
        "--log-dir",
        logDir,
        "--components",
        "cpu",
        "--country",
        "DK",
      ],
      {
        env: { ...process.env, ...seams(fake, dir), CARBONTRACKER_CGROUP_ROOT: join(dir, "no-cgroups") },
      },
    );
    let out = "";
    agent.stdout.on("data", (d) => (out += d));
    agent.stderr.on("data", (d) => (out += d));
    try {
      for (let i = 0; i < 100 && !out.includes("Metrics at"); i++)
        await new Promise((r) => setTimeout(r, 100));
      assert.match(out, /Metrics at http:\/\/127\.0\.0\.1:\d+\/metrics/);
      const busy = `timeout 3 sh -c 'while :; do :; done'`;
      const [a, b] = await Promise.all([
        sbatch(
          [
            "-n",
            "2",
            "--overcommit",
            "-o",
            join(dir, "a.out"),
            "--wrap",
            `srun -n 2 --overcommit ${busy}; exit 0`,
          ],
          {},
        ),
        sbatch(["-n", "1", "-o", join(dir, "b.out"), "--wrap", `srun -n 1 ${busy}; exit 0`], {}),
      ]);
      await new Promise((r) => setTimeout(r, 1000));
      const exited = new Promise((r) => agent.once("exit", r));
      agent.kill("SIGTERM");
      await exited;
      clock.end();
      fake.stop();
      const [file] = readdirSync(logDir);
      const records = readFileSync(join(logDir, file!), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      const jobs = records.filter((r) => r.type === "job");
      assert.deepEqual(jobs.map((j) => j.job_id).sort(), [a.jobId, b.jobId].sort(), out);
      for (const j of jobs) {
        assert.equal(j.attribution, "listpids");
        // Busy for 3 s each; on a loaded machine a job may get well under a second of CPU.
        assert.ok(j.energy_j > 0 && j.cpu_time_s > 0.2, JSON.stringify(j));
      }
      const node = records.find((r) => r.type === "node");
      const sum = jobs.reduce((s, j) => s + j.energy_j, 0) + node.unattributed_energy_j;
      assert.ok(Math.abs(sum - node.energy_j) < 1e-6, `${sum} vs ${node.energy_j}`);
      const injected = fake.injectedJ("intel-rapl:0", ...clock.window(node.start_t, node.end_t));
      assert.ok(
        // The node record's times are the agent's reads; on a loaded machine a read lags by tens of ms.
        Math.abs(node.energy_j - injected) < Math.max(2, 0.02 * injected),
        `${node.energy_j} J measured, ${injected} J on the node`,
      );
    } finally {
      agent.kill("SIGTERM");
      fake.dispose();
    }
  },
);
