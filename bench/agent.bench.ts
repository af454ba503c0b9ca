// The node agent's cost per tick on a busy GPU node: three SLURM jobs (cgroup v2) of 32
// processes each, four GPUs (NVML on the fake library), ticks of 0.2 s. Each round runs the
// agent for 2 s and for 12 s; the difference of their CPU over the 50 ticks between is its cost
// per tick, start-up left out. Prints medians; no target (a tick is every 5 s by default).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createFakeNvml } from "../test/helpers/fake-nvml.js";
import { benchDir, benchEnv, CLI } from "./helpers/bench-world.js";
import { measuredRun, median, rusageRunner } from "./helpers/process-meter.js";

const JOBS = [
  ["201", "0"],
  ["202", "1"],
  ["203", "2,3"],
] as const;
const PROCESSES_PER_JOB = 32;
const INTERVAL_S = 0.2;
const ROUNDS = Number(process.env.AGENT_BENCH_ROUNDS ?? 5);

const put = (path: string, text: string): void => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
};

/** A node's /proc and cgroup tree with the jobs' processes, their environments a few kB each. */
function busyNode(): { proc: string; cgroup: string } {
  const root = benchDir("ct-bench-agent-");
  const proc = join(root, "proc");
  const scope = join(root, "cgroup", "system.slice", "slurmstepd.scope");
  let pid = 6000;
  for (const [job, gpus] of JOBS) {
    put(join(scope, `job_${job}`, "cpu.stat"), "usage_usec 1000\n");
    for (let task = 0; task < PROCESSES_PER_JOB; task++) {
      pid += 1;
      const env = `SLURM_JOB_ID=${job}\0SLURM_JOB_USER=ada\0SLURM_STEP_GPUS=${gpus}\0PATH=/usr/bin:/bin\0`;
      put(join(proc, String(pid), "environ"), `${env}${"X=".padEnd(3000, "x")}\0`);
      put(join(scope, `job_${job}`, "step_0", "user", `task_${task % 4}`, "cgroup.procs"), `${pid}\n`);
    }
  }
  put(join(proc, "stat"), "cpu  100 0 0 100000 0 0 0 0 0 0\n");
  return { proc, cgroup: join(root, "cgroup") };
}

export async function run(): Promise<void> {
  const runner = rusageRunner();
  const nvml = createFakeNvml({
    gpus: [0, 1, 2, 3].map((i) => ({
      name: "NVIDIA H100 80GB HBM3",
      uuid: `GPU-${i}0000000-0000-0000-0000-000000000000`,
      energyMj: 1_000_000,
      powerMw: 150_000,
    })),
  });
  try {
    const { proc, cgroup } = busyNode();
    const env = benchEnv({
      CARBONTRACKER_NVML_LIBRARY: nvml.library,
      FAKE_NVML_CONFIG: process.env.FAKE_NVML_CONFIG ?? "",
      CARBONTRACKER_PROC_ROOT: proc,
      CARBONTRACKER_CGROUP_ROOT: cgroup,
      CARBONTRACKER_SCONTROL: "/nonexistent",
    });
    // A GPU node's agent as systemd would run it, with short ticks and logs of its own.
    const fixed = "agent --listen 127.0.0.1:0 --components gpu --country DK --node n1".split(" ");
    const agent = (durationS: number) => [
      process.execPath,
      CLI,
      ...fixed,
      ...["--interval", String(INTERVAL_S), "--duration", String(durationS)],
      ...["--log-dir", benchDir("ct-bench-agent-logs-")],
    ];
    const perTick: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const short = await measuredRun(runner, agent(2), env);
      const long = await measuredRun(runner, agent(12), env);
      perTick.push((long.cpuMs - short.cpuMs) / (10 / INTERVAL_S));
      rss.push(long.maxRssKb / 1024);
    }
    console.log(
      `node agent, ${JOBS.length} jobs of ${PROCESSES_PER_JOB} processes, 4 GPUs (fake NVML), n=${ROUNDS}: ` +
        `CPU per tick median ${median(perTick).toFixed(2)} ms (min ${Math.min(...perTick).toFixed(2)}, max ${Math.max(...perTick).toFixed(2)}); ` +
        `peak RSS median ${median(rss).toFixed(1)} MB`,
    );
  } finally {
    nvml.cleanup();
  }
}
