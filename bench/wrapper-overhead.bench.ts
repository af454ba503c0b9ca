// The CLI wrapper's own cost while it tracks `sleep`: steady-state CPU (difference of a 60 s
// and a 10 s run, per second), peak RSS, and time from launch to the child's start.
// Targets (issue 2): < 0.1 % of one core at 1 s sampling, < 70 MB RSS, < 150 ms to the child.
import { spawn } from "node:child_process";
import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const CLI = resolve("dist/src/cli/main.js");
const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const env = { ...process.env, CARBONTRACKER_OFFLINE: "1" };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Runs the wrapper around `sleep seconds`, watching its own /proc entry; CPU s and peak RSS MB. */
function trackedSleep(seconds: number): Promise<{ cpuS: number; peakRssMb: number }> {
  const logDir = mkdtempSync(join(tmpdir(), "ct-bench-"));
  const child = spawn(
    process.execPath,
    [CLI, "--log_dir", logDir, "--update-interval", "1", "sleep", String(seconds)],
    {
      env,
      stdio: "ignore",
    },
  );
  let cpuTicks = 0;
  let peakKb = 0;
  const watch = setInterval(() => {
    try {
      const stat = readFileSync(`/proc/${child.pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      cpuTicks = Number(fields[11]) + Number(fields[12]); // utime + stime
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
    } catch {
      // The process is gone; keep the last figures.
    }
  }, 100);
  return new Promise((resolveRun) => {
    child.on("exit", () => {
      clearInterval(watch);
      resolveRun({ cpuS: cpuTicks / TICKS_PER_SECOND, peakRssMb: peakKb / 1024 });
    });
  });
}

/** Milliseconds from spawning the wrapper to its child printing its start time. */
function launchToChild(): Promise<number> {
  const logDir = mkdtempSync(join(tmpdir(), "ct-bench-"));
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, "--log_dir", logDir, "--verbose", "0", "date", "+%s%3N"], {
    env,
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolveRun) => {
    child.on("exit", () => resolveRun(Number(/^(\d{13})$/m.exec(out)?.[1]) - started));
  });
}

export async function run(): Promise<void> {
  const launches: number[] = [];
  for (let i = 0; i < 15; i++) launches.push(await launchToChild());
  console.log(
    `launch to child start: median ${median(launches)} ms (min ${Math.min(...launches)}, max ${Math.max(...launches)}, n=15; target < 150 ms)`,
  );
  const short = await trackedSleep(10);
  const long = await trackedSleep(60);
  const perSecond = (long.cpuS - short.cpuS) / 50;
  console.log(`CPU: 10 s run ${short.cpuS.toFixed(2)} s, 60 s run ${long.cpuS.toFixed(2)} s`);
  console.log(
    `steady-state CPU: ${(perSecond * 100).toFixed(3)} % of one core at 1 s sampling (target < 0.1 %)`,
  );
  console.log(`peak RSS: ${Math.max(short.peakRssMb, long.peakRssMb).toFixed(1)} MB (target < 70 MB)`);
}
