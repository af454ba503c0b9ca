// Steady-state cost of tracking: the CLI wraps a sleeping command at the default 1 s sampling,
// once per backend (RAPL on a fake powercap tree at 100 W, the /proc/stat estimate, NVML on the
// fake library), and after a warm-up the CPU of all its threads over >= 30 s is read from
// /proc/<pid>/task/*/schedstat: ms of CPU and wake-ups per tracked second, peak RSS. Bare Node
// timers run beside them as the machine's floor. With strace, the system calls of a few samples
// are counted afterwards (files opened and writes per sample).
// Target (issue 16): <= 0.1 ms CPU per tracked second with each backend.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createFakeNvml } from "../test/helpers/fake-nvml.js";
import { benchDir, benchEnv, CLI, fakeRapl100W } from "./helpers/bench-world.js";
import { peakRssKb, threadCpu, type ThreadCpu } from "./helpers/process-meter.js";

const WARMUP_S = Number(process.env.STEADY_BENCH_WARMUP_S ?? 5);
const WINDOW_S = Number(process.env.STEADY_BENCH_WINDOW_S ?? 30);
const STRACE_S = Number(process.env.STEADY_BENCH_STRACE_S ?? 5);

interface Tracked {
  label: string;
  child: ChildProcess;
  /** A reference process (not ours): shown as the floor. */
  reference: boolean;
  start?: ThreadCpu;
  end?: ThreadCpu;
  peakKb?: number;
}

function hasStrace(): boolean {
  return spawnSync("strace", ["-V"], { stdio: "ignore" }).status === 0;
}

/** Counts the system calls of `pid` (all threads) for `seconds`: calls by name. */
async function straceCounts(pid: number, seconds: number): Promise<Map<string, number>> {
  const out = join(benchDir("ct-bench-strace-"), "summary.txt");
  const strace = spawn("strace", ["-f", "-qq", "-c", "-o", out, "-p", String(pid)], { stdio: "ignore" });
  await sleep(seconds * 1000);
  strace.kill("SIGINT");
  await new Promise((resolve) => strace.on("exit", resolve));
  const counts = new Map<string, number>();
  for (const line of readFileSync(out, "utf8").split("\n")) {
    const fields = line.trim().split(/\s+/);
    const name = fields.at(-1);
    if (fields.length < 5 || !name || name === "syscall" || name === "total" || /^-+$/.test(name)) continue;
    // % time, seconds, usecs/call, calls, [errors], syscall
    counts.set(name, Number(fields[3]));
  }
  return counts;
}

function sum(counts: Map<string, number>, names: string[]): number {
  return names.reduce((total, name) => total + (counts.get(name) ?? 0), 0);
}

/** Prints ms of CPU and wake-ups per tracked second for each backend, beside bare Node. */
export async function run(): Promise<void> {
  const rapl = await fakeRapl100W();
  const nvml = createFakeNvml({
    gpus: [
      {
        name: "NVIDIA H100 80GB HBM3",
        uuid: "GPU-11111111-0000-0000-0000-000000000000",
        energyMj: 5_000_000,
        powerMw: 250_000,
        limitMw: 700_000,
      },
    ],
  });
  const total = WARMUP_S + WINDOW_S + 3 * (STRACE_S + 3) + 10;
  const cli = (label: string, extra: Record<string, string>, components: string): Tracked => ({
    label,
    reference: false,
    child: spawn(
      process.execPath,
      [CLI, "--log_dir", benchDir(), "--components", components, "sleep", String(total)],
      { env: benchEnv(extra), stdio: "ignore" },
    ),
  });
  const reference = (label: string, script: string): Tracked => ({
    label,
    reference: true,
    child: spawn(process.execPath, ["-e", script], { stdio: "ignore" }),
  });
  const all: Tracked[] = [
    cli("rapl (fake powercap tree, 100 W)", { CARBONTRACKER_POWERCAP_ROOT: rapl.root }, "cpu"),
    cli("estimate (/proc/stat)", { CARBONTRACKER_POWERCAP_ROOT: benchDir("ct-bench-no-powercap-") }, "cpu"),
    cli(
      "nvml (fake library, 1 GPU)",
      { CARBONTRACKER_NVML_LIBRARY: nvml.library, FAKE_NVML_CONFIG: process.env.FAKE_NVML_CONFIG ?? "" },
      "gpu",
    ),
    reference("bare node: an empty 1 s setInterval", "setInterval(() => {}, 1000)"),
    reference(
      "bare node: a 1 s Atomics.wait loop",
      "const a = new Int32Array(new SharedArrayBuffer(4)); for (;;) Atomics.wait(a, 0, 0, 1000);",
    ),
  ];
  try {
    await sleep(WARMUP_S * 1000);
    for (const t of all) t.start = threadCpu(t.child.pid as number);
    await sleep(WINDOW_S * 1000);
    for (const t of all) {
      t.end = threadCpu(t.child.pid as number);
      t.peakKb = peakRssKb(t.child.pid as number);
    }
    console.log(
      `steady state at 1 s sampling, ${WINDOW_S} s window after ${WARMUP_S} s (all threads, schedstat):`,
    );
    for (const t of all) {
      const start = t.start as ThreadCpu;
      const end = t.end as ThreadCpu;
      const msPerS = (end.cpuNs - start.cpuNs) / 1e6 / WINDOW_S;
      const wakes = (end.runs - start.runs) / WINDOW_S;
      console.log(
        `  ${t.reference ? "(floor) " : ""}${t.label}: ${msPerS.toFixed(3)} ms CPU per tracked second, ${wakes.toFixed(2)} wake-ups/s, ${end.threads} threads, peak RSS ${((t.peakKb ?? 0) / 1024).toFixed(1)} MB${t.reference ? "" : " (target <= 0.1 ms/s)"}`,
      );
    }
    if (!hasStrace()) {
      console.log("  system calls per sample: skipped (no strace on this machine)");
      return;
    }
    console.log(`system calls per sample (strace -f -c over ${STRACE_S} s, 1 sample/s):`);
    for (const t of all.filter((x) => !x.reference)) {
      const counts = await straceCounts(t.child.pid as number, STRACE_S);
      const per = (n: number) => (n / STRACE_S).toFixed(1);
      const totalCalls = [...counts.values()].reduce((a, b) => a + b, 0);
      console.log(
        `  ${t.label}: opens ${per(sum(counts, ["open", "openat"]))}, reads ${per(sum(counts, ["read", "pread64"]))}, writes ${per(sum(counts, ["write", "writev", "pwrite64"]))}, all ${per(totalCalls)}`,
      );
    }
  } finally {
    for (const t of all) t.child.kill("SIGTERM");
    await Promise.all(
      all.map(
        (t) =>
          new Promise((resolve) => (t.child.exitCode !== null ? resolve(0) : t.child.on("exit", resolve))),
      ),
    );
    await rapl.stop();
    nvml.cleanup();
  }
}
