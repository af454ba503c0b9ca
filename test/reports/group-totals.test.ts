import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { readLogs } from "../../src/logs/parser/read-logs.js";
import { dropRepeatedMeasurements, groupTotals, type GroupBy } from "../../src/reports/group-totals.js";
import fc from "fast-check";
import { CLI } from "../helpers/cli-process.js";

/** Device joules before PUE 1.5 as kWh after it. */
const kwh = (joules: number) => (joules / 3.6e6) * 1.5;
const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;

async function totals(dir: string, by: GroupBy) {
  const { runs, agentJobs } = await readLogs([dir, join(dir, "slurm-4711")], { owners: by === "user" });
  return groupTotals(runs, agentJobs, by);
}

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

test("a job's total sums every node and rank once: GPUs by UUID, each node's CPU from one tracker", async () => {
  const [job, other] = await totals(jobFolder(), "job");
  assert.equal(job!.key, "4711");
  assert.deepEqual(job!.nodes, ["a", "b"]);
  assert.ok(close(job!.energyKwh, kwh(500 + 300 + 40 + 450 + 480 + 280)), `${job!.energyKwh} kWh`);
  assert.ok(Math.abs(job!.co2eqG - 2.05) < 1e-9);
  assert.equal(job!.runs, 4);
  assert.deepEqual(
    job!.sources
      .map((d) => `${d.node} ${d.device} ${(d.energyKwh / kwh(1)).toFixed(6)} ${d.measuredBy}`)
      .sort(),
    [
      "a cpu:0 300.000000 rank 0 (pid 100)",
      "a dram:0 40.000000 rank 0 (pid 100)",
      "a gpu:0 450.000000 rank 1 (pid 101)",
      "a gpu:0 500.000000 rank 0 (pid 100)",
      "b cpu:0 280.000000 rank 2 (pid 200)",
      "b gpu:0 480.000000 rank 2 (pid 200)",
    ],
  );
  assert.deepEqual(
    job!.duplicates.map((d) => `${d.node} ${d.device} ${(d.energyKwh / kwh(1)).toFixed(6)} ${d.measuredBy}`),
    ["a cpu:0 290.000000 rank 3 (pid 103)"],
  );
  // The agent's record of job 4712 on node c counts: no tracker of that job ran there.
  assert.equal(other!.key, "4712");
  assert.ok(close(other!.energyKwh, kwh(120)));
  assert.deepEqual(
    other!.sources.map((d) => d.measuredBy),
    ["agent"],
  );
});

test("totals by node and by user", async () => {
  const dir = jobFolder();
  assert.deepEqual(
    (await totals(dir, "node")).map((g) => [g.key, (g.energyKwh / kwh(1)).toFixed(6)]),
    [
      ["a", "1290.000000"],
      ["b", "760.000000"],
      ["c", "120.000000"],
    ],
  );
  assert.deepEqual(
    (await totals(dir, "user")).map((g) => [g.key, (g.energyKwh / kwh(1)).toFixed(6), g.jobs]),
    [
      ["ada", "2050.000000", ["4711"]],
      ["bob", "120.000000", ["4712"]],
    ],
  );
});

test("--parse --by job: an agent's job shows with its energy; who measured what is said; the JSON and CSV carry the same numbers", () => {
  const dir = mkdtempSync(join(tmpdir(), "ct-agent-only-"));
  const joules = 3.6e6;
  writeFileSync(
    join(dir, "agent_gpu-a07_2026-12-01T100000Z_carbontracker.jsonl"),
    `${JSON.stringify({
      type: "job",
      t: 20_000,
      job_id: "9001",
      user: "ada",
      node: "gpu-a07",
      start_t: 1000,
      end_t: 3_601_000,
      duration_s: 3600,
      cpu_time_s: 3000,
      energy_j: joules,
      energy_j_by_component: { cpu: joules },
      devices: [
        { component: "cpu", device: "cpu:0", energy_j: joules, provenance: "counter", share: "cpu time" },
      ],
      co2eq_g: 1.58 * 100,
      g_per_kwh: 100,
      pue: 1.58,
      attribution: "cgroup-v2",
      gpus: [],
    })}\n`,
  );
  const parse = (...extra: string[]) =>
    spawnSync(process.execPath, [CLI, "--parse", dir, "--by", "job", ...extra], { encoding: "utf8" });
  const text = parse();
  assert.equal(text.status, 0, text.stderr);
  assert.equal(text.stderr, "", "no false warnings");
  assert.match(text.stdout, /^job 9001: 1 run, 1\.580 kWh, 0\.158 kg CO2eq$/m);
  assert.match(text.stdout, /^ {2}measured by agent: cpu:0 on gpu-a07 \(counter\)$/m);
  assert.match(text.stdout, /estimated to use 1\.58000000000\d+ kWh/);
  const json = JSON.parse(parse("--json").stdout) as { groups: Record<string, unknown>[] };
  assert.equal(json.groups.length, 1);
  assert.equal(json.groups[0]!.group, "9001");
  assert.ok(close(json.groups[0]!.energy_kwh as number, 1.58));
  const csv = parse("--csv").stdout.trim().split("\n");
  assert.equal(csv.length, 2);
  assert.match(csv[1]!, /^job,9001,9001,gpu-a07,ada,1,1\.58\d*,158(\.0+\d*)?,/);
});

test("dropping repeated measurements agrees with checking every pair (property, 500 random cases)", () => {
  type M = { deviceKey: string; startMs: number; endMs: number; origin: number; id: number };
  const measurement = fc.record({
    deviceKey: fc.constantFrom("a cpu:0", "a dram:0", "gpu GPU-1"),
    startMs: fc.integer({ min: 0, max: 50 }),
    length: fc.integer({ min: 1, max: 20 }),
    origin: fc.integer({ min: 0, max: 4 }),
  });
  fc.assert(
    fc.property(fc.array(measurement, { maxLength: 40 }), (raw) => {
      const all: M[] = raw.map((m, id) => ({ ...m, endMs: m.startMs + m.length, id }));
      // The reference: in start order, drop one that overlaps a kept one of another run.
      const kept: M[] = [];
      const expected: number[] = [];
      for (const c of [...all].sort((a, b) => a.startMs - b.startMs || a.origin - b.origin)) {
        const clash = kept.some(
          (o) =>
            o.deviceKey === c.deviceKey &&
            o.origin !== c.origin &&
            c.startMs < o.endMs &&
            o.startMs < c.endMs,
        );
        if (clash) expected.push(c.id);
        else kept.push(c);
      }
      const { dropped } = dropRepeatedMeasurements(all);
      assert.deepEqual(
        dropped.map((d) => d.id).sort((a, b) => a - b),
        expected.sort((a, b) => a - b),
      );
    }),
    { numRuns: 500 },
  );
});
