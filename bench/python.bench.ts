// The Python bindings' own cost, measured from Python (python3 on PATH or CARBONTRACKER_TEST_PYTHON)
// with a simulated CPU: the time CarbonTracker() takes to return, the time until the engine has
// answered (the first epoch_start() waits for it), the epoch_start()+epoch_end() round trip
// standalone (pipes to our engine, logs written) and under the CLI (its IPC socket), and the
// engine's memory. Targets (issue 14): round trip median <= 1 ms and p99 <= 5 ms; CarbonTracker()
// <= 300 ms.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const CLI = resolve("dist/bundle/cli.cjs"); // the installed bin
const PYTHON = process.env.CARBONTRACKER_TEST_PYTHON ?? "python3";
const ROUND_TRIPS = 3000;
const STARTS = 15;

const SCRIPT = `
import json, sys, time
from carbontracker.tracker import CarbonTracker

log_dir, starts, trips = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
construct, ready = [], []
for _ in range(starts):
    t0 = time.perf_counter()
    tracker = CarbonTracker(epochs=2, sim_cpu="X", sim_cpu_tdp=100, verbose=0)
    t1 = time.perf_counter()
    tracker.epoch_start()
    t2 = time.perf_counter()
    construct.append((t1 - t0) * 1000)
    ready.append((t2 - t0) * 1000)
    tracker.stop()
tracker = CarbonTracker(epochs=10**6, epochs_before_pred=0, log_dir=log_dir, sim_cpu="X", sim_cpu_tdp=100, verbose=0)
tracker.epoch_start(); tracker.epoch_end()
trips_ms = []
for _ in range(trips):
    t0 = time.perf_counter_ns()
    tracker.epoch_start()
    tracker.epoch_end()
    trips_ms.append((time.perf_counter_ns() - t0) / 1e6)
memory = {}
channel = tracker._session._channel
if hasattr(channel, "process"):
    with open("/proc/%d/status" % channel.process.pid) as status:
        for line in status:
            if line.startswith(("VmRSS", "VmHWM")):
                memory[line.split(":")[0]] = int(line.split()[1]) / 1024
tracker.stop()
print(json.dumps({"construct": construct, "ready": ready, "trips": trips_ms, "memory": memory}))
`;

interface Figures {
  construct: number[];
  ready: number[];
  trips: number[];
  memory: Record<string, number>;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function runScript(underCli: boolean, starts: number): Promise<Figures> {
  const logDir = mkdtempSync(join(tmpdir(), "ct-bench-py-"));
  const python = [PYTHON, "-c", SCRIPT, logDir, String(starts), String(ROUND_TRIPS)];
  const [file, ...args] = underCli
    ? [process.execPath, CLI, "--verbose", "0", "--no-live", ...python]
    : python;
  const child = spawn(file as string, args, {
    env: { ...process.env, CARBONTRACKER_OFFLINE: "1", PYTHONPATH: resolve("clients/python") },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((done, fail) =>
    child.on("close", (code) => {
      rmSync(logDir, { recursive: true, force: true });
      if (code !== 0) fail(new Error(`the bench script exited with ${code}`));
      else done(JSON.parse(out.trim().split("\n").at(-1) as string) as Figures);
    }),
  );
}

const ms = (value: number) => `${value.toFixed(3)} ms`;

export async function run(): Promise<void> {
  const alone = await runScript(false, STARTS);
  const construct = quantile(alone.construct, 0.5);
  console.log(
    `CarbonTracker() returns: median ${ms(construct)} (max ${ms(Math.max(...alone.construct))}, n=${STARTS}; target <= 300 ms, ${(construct / 300).toFixed(3)}x)`,
  );
  console.log(
    `engine ready (CarbonTracker() to the first epoch_start() returning): median ${ms(quantile(alone.ready, 0.5))} (max ${ms(Math.max(...alone.ready))})`,
  );
  for (const [label, figures] of [
    ["standalone (engine over pipes, logs written)", alone],
    ["under the CLI (its IPC socket, logs written)", await runScript(true, 0)],
  ] as const) {
    const median = quantile(figures.trips, 0.5);
    const p99 = quantile(figures.trips, 0.99);
    console.log(
      `epoch_start()+epoch_end() ${label}: median ${ms(median)} (target <= 1 ms, ${median.toFixed(3)}x), p99 ${ms(p99)} (target <= 5 ms, ${(p99 / 5).toFixed(3)}x), n=${ROUND_TRIPS}`,
    );
  }
  console.log(
    `engine memory after ${ROUND_TRIPS + 1} epochs: RSS ${alone.memory.VmRSS?.toFixed(1)} MB, peak ${alone.memory.VmHWM?.toFixed(1)} MB`,
  );
}
