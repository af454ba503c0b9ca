import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mergeRuns } from "../../src/cluster/job-merge.js";
import { readJsonlRuns } from "../../src/cluster/jsonl-runs.js";

type Device = { component: "cpu" | "gpu"; device: string; energy_j: number; uuid?: string };

function run(
  dir: string,
  name: string,
  slurm: Record<string, string>,
  pid: number,
  t0: number,
  t1: number,
  devices: Device[],
): void {
  const lines = [
    {
      type: "start",
      t: t0,
      version: "0.1.0",
      host: slurm.node,
      pid,
      pue: 1.5,
      options: {},
      slurm,
      devices: devices.map((d) => ({
        component: d.component,
        device: d.device,
        name: d.device,
        provenance: "counter",
        ...(d.uuid ? { uuid: d.uuid } : {}),
      })),
    },
    {
      type: "epoch",
      t: t1,
      epoch: 1,
      start_t: t0,
      end_t: t1,
      duration_s: (t1 - t0) / 1000,
      energy_j: devices.reduce((s, d) => s + d.energy_j, 0),
      devices: devices.map((d) => ({
        component: d.component,
        device: d.device,
        energy_j: d.energy_j,
        provenance: "counter",
      })),
      co2eq_g: devices.reduce((s, d) => s + d.energy_j, 0) / 1000,
    },
    { type: "end", t: t1, reason: "finished" },
  ];
  mkdirSync(dir, { recursive: true });
  // The last line cut short, as a killed run leaves it.
  writeFileSync(
    join(dir, `${name}_carbontracker.jsonl`),
    `${lines.map((l) => JSON.stringify(l)).join("\n")}\n{"type":"sam`,
  );
}

function jobFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "ct-merge-"));
  const ids = (node: string, rank: number) => ({
    job_id: "4711",
    step_id: "0",
    node,
    rank: String(rank),
    local_id: String(rank % 2),
    user: "ada",
  });
  // Node a: rank 0 won the election (CPU, DRAM, its GPU), rank 1 measured its own GPU; both call it gpu:0.
  run(join(dir, "slurm-4711"), "r0", ids("a", 0), 100, 1000, 11_000, [
    { component: "gpu", device: "gpu:0", energy_j: 500, uuid: "GPU-aaaa" },
    { component: "cpu", device: "cpu:0", energy_j: 300 },
    { component: "cpu", device: "dram:0", energy_j: 40 },
  ]);
  run(join(dir, "slurm-4711"), "r1", ids("a", 1), 101, 1200, 11_100, [
    { component: "gpu", device: "gpu:0", energy_j: 450, uuid: "GPU-bbbb" },
  ]);
  // Node b: rank 2 measured the CPU and its GPU.
  run(join(dir, "slurm-4711"), "r2", ids("b", 2), 200, 1100, 10_900, [
    { component: "gpu", device: "gpu:0", energy_j: 480, uuid: "GPU-cccc" },
    { component: "cpu", device: "cpu:0", energy_j: 280 },
  ]);
  // An old tracker without the election also measured node a's CPU at the same time: a duplicate.
  run(join(dir, "slurm-4711"), "r3", ids("a", 3), 103, 1300, 10_000, [
    { component: "cpu", device: "cpu:0", energy_j: 290 },
  ]);
  // The agent saw job 4711 on node a (trackers ran there: not counted) and job 4712 on node c.
  const agent = (job: string, node: string, joules: number) => ({
    type: "job",
    t: 20_000,
    job_id: job,
    user: "bob",
    node,
    start_t: 1000,
    end_t: 9000,
    duration_s: 8,
    cpu_time_s: 7,
    energy_j: joules,
    energy_j_by_component: { cpu: joules },
    devices: [
      { component: "cpu", device: "cpu:0", energy_j: joules, provenance: "counter", share: "cpu time" },
    ],
    co2eq_g: joules / 1000,
    g_per_kwh: 100,
    pue: 1.5,
    attribution: "listpids",
    gpus: [],
  });
  writeFileSync(join(dir, "agent_a_carbontracker.jsonl"), `${JSON.stringify(agent("4711", "a", 999))}\n`);
  writeFileSync(
    join(dir, "agent_c_carbontracker.jsonl"),
    `${JSON.stringify(agent("4712", "c", 120))}\n${JSON.stringify({ type: "node", t: 1 })}\n`,
  );
  return dir;
}

test("a job's total sums every node and rank once: GPUs by UUID, each node's CPU from one tracker", () => {
  const [job, other] = mergeRuns(readJsonlRuns(jobFolder()), "job");
  assert.equal(job!.key, "4711");
  assert.deepEqual(job!.nodes, ["a", "b"]);
  assert.equal(job!.energyJ, 500 + 300 + 40 + 450 + 480 + 280);
  assert.deepEqual(job!.energyJByComponent, { gpu: 1430, cpu: 620 });
  assert.ok(Math.abs(job!.co2eqG - 2.05) < 1e-9);
  assert.equal(job!.wallS, 10.1);
  assert.deepEqual(job!.devices.map((d) => `${d.node} ${d.device} ${d.energyJ} ${d.measuredBy}`).sort(), [
    "a cpu:0 300 rank 0 (pid 100)",
    "a dram:0 40 rank 0 (pid 100)",
    "a gpu:0 450 rank 1 (pid 101)",
    "a gpu:0 500 rank 0 (pid 100)",
    "b cpu:0 280 rank 2 (pid 200)",
    "b gpu:0 480 rank 2 (pid 200)",
  ]);
  assert.deepEqual(
    job!.duplicates.map((d) => `${d.node} ${d.device} ${d.energyJ} ${d.measuredBy}`),
    ["a cpu:0 290 rank 3 (pid 103)"],
  );
  assert.equal(other!.key, "4712");
  assert.equal(other!.energyJ, 120);
  assert.deepEqual(
    other!.devices.map((d) => d.measuredBy),
    ["agent"],
  );
});

test("totals by node and by user", () => {
  const runs = readJsonlRuns(jobFolder());
  assert.deepEqual(
    mergeRuns(runs, "node").map((g) => [g.key, g.energyJ]),
    [
      ["a", 1290],
      ["b", 760],
      ["c", 120],
    ],
  );
  assert.deepEqual(
    mergeRuns(runs, "user").map((g) => [g.key, g.energyJ, g.jobs]),
    [
      ["ada", 2050, ["4711"]],
      ["bob", 120, ["4712"]],
    ],
  );
});
