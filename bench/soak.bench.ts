// A long run at 0.1 s sampling: the CLI tracks `sleep SOAK_SECONDS` (default 600) with a
// simulated CPU, marking no epochs, and its RSS is read from /proc at the start (after 5 s of
// warm-up) and at the end. Target (issue 9): growth under 5 MB.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const CLI = resolve("dist/bundle/cli.cjs");

function rssMb(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Runs the soak and prints RSS at start and end and the growth (MB). */
export async function run(): Promise<void> {
  const seconds = Number(process.env.SOAK_SECONDS ?? 600);
  const logDir = mkdtempSync(join(tmpdir(), "ct-soak-"));
  const child = spawn(
    process.execPath,
    [
      CLI,
      "--log_dir",
      logDir,
      "--update-interval",
      "0.1",
      "--sim-cpu",
      "Soak",
      "--sim-cpu-tdp",
      "100",
    ].concat(["--no-live", "sleep", String(seconds)]),
    { env: { ...process.env, CARBONTRACKER_OFFLINE: "1" }, stdio: "ignore" },
  );
  const exited = new Promise<void>((done) => child.on("exit", () => done()));
  const pid = child.pid as number;
  await sleep(Math.min(5, seconds / 4) * 1000);
  const start = rssMb(pid);
  let end = start;
  let peak = start ?? 0;
  const watch = setInterval(() => {
    const now = rssMb(pid);
    if (now !== undefined) {
      end = now;
      peak = Math.max(peak, now);
    }
  }, 1000);
  await exited;
  clearInterval(watch);
  if (start === undefined || end === undefined) {
    console.log("soak: could not read /proc/<pid>/status (not Linux?)");
    return;
  }
  console.log(`soak: ${seconds} s at 0.1 s sampling (CLI, simulated CPU), log dir ${logDir}`);
  console.log(`RSS at start ${start.toFixed(1)} MB, at end ${end.toFixed(1)} MB, peak ${peak.toFixed(1)} MB`);
  console.log(`RSS growth: ${(end - start).toFixed(2)} MB (target < 5 MB)`);
}
