// What the start-up and steady-state benches read off a process: CPU of all its threads and
// their wake-ups (/proc/<pid>/task/*/schedstat), peak RSS (VmHWM), and for a whole run the
// kernel's own rusage through a tiny C runner (rusage-run.c, built with the system compiler).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compiledC } from "../../test/helpers/compile-c.js";
import { childrenNamed } from "../../test/helpers/proc-children.js";

const RUNNER_SOURCE = fileURLToPath(new URL("./rusage-run.c", import.meta.url));
const SLEEP_READ_SOURCE = fileURLToPath(new URL("./sleep-read-loop.c", import.meta.url));

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** CPU time (ns) and times scheduled in, summed over every live thread of `pid`. */
export interface ThreadCpu {
  cpuNs: number;
  runs: number;
  threads: number;
  /** Of cpuNs, what its helper processes took (trackerCpu: the recorder, the NVML proxy). */
  helpersNs?: number;
}

/** Sums /proc/<pid>/task/*\/schedstat: on-CPU ns (field 1) and timeslices run (field 3). */
export function threadCpu(pid: number): ThreadCpu {
  let cpuNs = 0;
  let runs = 0;
  let threads = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const [onCpu, , slices] = readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ");
      cpuNs += Number(onCpu);
      runs += Number(slices);
      threads += 1;
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return { cpuNs, runs, threads };
}

/**
 * CPU of a tracker: its threads' and its helpers' (child processes): the sample recorder (see
 * src/sampling/sample-recorder.ts), which does the tracker's sampling, and the NVML proxy
 * (src/hardware/nvml/nvml-proxy.ts), which makes its NVML calls.
 */
export function trackerCpu(pid: number): ThreadCpu {
  const total = { ...threadCpu(pid), helpersNs: 0 };
  for (const recorder of [...childrenNamed(pid, "sample-recorder"), ...childrenNamed(pid, "nvml-proxy")]) {
    try {
      const own = threadCpu(recorder);
      total.cpuNs += own.cpuNs;
      total.helpersNs += own.cpuNs;
      total.runs += own.runs;
      total.threads += own.threads;
    } catch {
      // Ended between the listing and the read.
    }
  }
  return total;
}

/** Peak resident set size of a live process (KB, VmHWM). */
export function peakRssKb(pid: number): number {
  return statusKb(pid, "VmHWM");
}

/** Resident set size of a live process now (KB, VmRSS). */
export function residentKb(pid: number): number {
  return statusKb(pid, "VmRSS");
}

/** A memory field of /proc/<pid>/status (KB); NaN where it is missing. */
function statusKb(pid: number, field: "VmHWM" | "VmRSS"): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) : NaN;
}

/** Builds rusage-run once per source version (cached in the temp folder); its path. */
export function rusageRunner(): string {
  return compiledC(RUNNER_SOURCE, "carbontracker-rusage-run", "rusage-run");
}

/** Builds sleep-read-loop (the C floor of the steady bench) once per source version; its path. */
export function sleepReadLoop(): string {
  return compiledC(SLEEP_READ_SOURCE, "carbontracker-sleep-read-loop", "sleep-read-loop");
}

/** One measured run: what the kernel counted and what the command printed. */
export interface MeasuredRun {
  /** Unix ns just before the fork. */
  launchNs: bigint;
  /** User + system CPU (ms). */
  cpuMs: number;
  maxRssKb: number;
  status: number;
  stdout: string;
}

/** Runs `argv` under rusage-run and returns its figures. */
export function measuredRun(runner: string, argv: string[], env: NodeJS.ProcessEnv): Promise<MeasuredRun> {
  const outFile = join(mkdtempSync(join(tmpdir(), "ct-bench-rusage-")), "rusage.json");
  const child = spawn(runner, [outFile, ...argv], { env, stdio: ["ignore", "pipe", "ignore"] });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) {
        reject(new Error(`rusage-run exited ${code} for ${argv.join(" ")}`));
        return;
      }
      const text = readFileSync(outFile, "utf8");
      rmSync(dirname(outFile), { recursive: true, force: true });
      const raw = JSON.parse(text) as {
        utime_us: number;
        stime_us: number;
        maxrss_kb: number;
        status: number;
      };
      resolve({
        launchNs: BigInt(/"launch_ns":(\d+)/.exec(text)?.[1] ?? "0"),
        cpuMs: (raw.utime_us + raw.stime_us) / 1000,
        maxRssKb: raw.maxrss_kb,
        status: raw.status,
        stdout,
      });
    });
  });
}

/** Whether a tool the benches use only where it is installed (strace, valgrind) runs here. */
export function toolRuns(command: string, versionFlag: string): boolean {
  return spawnSync(command, [versionFlag], { stdio: "ignore" }).status === 0;
}

/**
 * Instructions a command executes in user space, all its threads (millions), counted by callgrind:
 * unlike CPU time, the count barely moves with the machine's load, so small start-up changes
 * show. The kernel's share (fork, exec, page faults) is not in it.
 */
export function instructionsM(argv: string[], env: NodeJS.ProcessEnv): number {
  const result = spawnSync("valgrind", ["--tool=callgrind", "--callgrind-out-file=/dev/null", ...argv], {
    env,
    encoding: "utf8",
    stdio: ["ignore", "ignore", "pipe"],
  });
  const collected = /Collected\s*:\s*([\d,]+)/.exec(result.stderr)?.[1];
  if (result.status !== 0 || collected === undefined) {
    throw new Error(`callgrind run of ${argv.join(" ")} failed:\n${result.stderr.slice(-2000)}`);
  }
  return Number(collected.replace(/,/g, "")) / 1e6;
}
