// Steady-state cost of tracking: the CLI wraps a sleeping command at the default 1 s sampling,
// once per backend (RAPL on a fake powercap tree at 100 W rewritten in place as sysfs is, the
// /proc/stat estimate, NVML on the fake library through the NVML proxy and through a sampler
// thread, and NVML on the fake library with its energy counter as dear as an H200's: 4.06 ms of
// CPU a call, measured with driver 580), all at once;
// RAPL twice, with its sample recorder (src/native/sample-recorder.c, a child process that reads
// the files between the CLI's batches) and without it. The CPU of all their threads, and of the
// recorder's, is read from /proc/<pid>/task/*/schedstat over two windows of 120 s (the CLI takes its
// recorder's samples once a minute): the first after a 5 s warm-up (V8's memory reducer still runs
// its few start-up collections there) and the next one (steady), split between the CLI and its
// helper processes (the recorder, the NVML proxy). A program using the library, waiting in an
// epoch, is measured the same way, with its recorder and without. Beside them run the machine's floors, processes waking once a second: a C loop
// (nanosleep, one pread of /proc/stat: what a wake-up costs here with no runtime), the same loop
// holding as much resident memory as bare Node (on some virtual machines a wake-up costs in
// proportion to it: there this, not the bare loop, is the floor of a Node process), and bare Node
// with an empty timer, an Atomics.wait loop, and a minimal sampler (pread /proc/stat, parse its
// first line, append a JSON line, one write per 10 samples); and bare Node with an empty 60 s timer,
// which wakes as rarely as the CLI does to take its recorder's samples. That one and the C loop
// are the floor of this design (a helper waking each second, Node once a minute), printed with
// each tracker's ratio to it. With strace, the system calls of a few samples
// are counted afterwards: files opened and writes per sample. The CLI drops its mappings of the
// file pages start-up read 10 s and 30 s in (cli/release-mapped-pages.ts): the steady window
// comes after both, and the resident memory at its end is printed beside the peak.
// Target (issue 16): <= 0.1 ms CPU per tracked second with each backend.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createFakeNvml, type FakeGpu } from "../test/helpers/fake-nvml.js";
import { childrenNamed } from "../test/helpers/proc-children.js";
import { benchDir, benchEnv, CLI, fakeRapl100W, LIBRARY } from "./helpers/bench-world.js";
import {
  peakRssKb,
  residentKb,
  sleepReadLoop,
  trackerCpu,
  toolRuns,
  type ThreadCpu,
} from "./helpers/process-meter.js";

const WARMUP_S = Number(process.env.STEADY_BENCH_WARMUP_S ?? 5);
/** Two minutes: whole harvests of a recorder's samples (once a minute, sampling/sample-batch.ts). */
const WINDOW_S = Number(process.env.STEADY_BENCH_WINDOW_S ?? 120);
const STRACE_S = Number(process.env.STEADY_BENCH_STRACE_S ?? 5);
/** At most this many of ours are measured (each is straced in turn while its command still runs). */
const MAX_TRACKERS = 12;

/**
 * Resident memory (MB) of the C floor's twin: about bare Node's. Where a wake-up costs in
 * proportion to the memory a process holds (some virtual machines), this is the floor of any
 * process Node's size, whatever it runs.
 */
const NODE_SIZED_MB = 40;

/** CPU time of one nvmlDeviceGetTotalEnergyConsumption call on an H200 (driver 580.159.04), µs. */
const H200_ENERGY_CALL_US = 4060;

/** The least a Node sampler can do each second: read, parse, record. */
const MINIMAL_SAMPLER = `
const fs = require("fs");
const out = fs.openSync(process.argv[1], "a");
const fd = fs.openSync("/proc/stat", "r");
const buf = Buffer.allocUnsafe(1024);
let last, energy = 0, pending = "", n = 0;
setInterval(() => {
  const text = buf.toString("latin1", 0, fs.readSync(fd, buf, 0, buf.length, 0));
  const f = text.slice(0, text.indexOf("\\n")).trim().split(/\\s+/).slice(1).map(Number);
  const busy = f[0] + f[1] + f[2] + f[5] + f[6] + f[7], total = busy + f[3] + f[4];
  if (last) energy += (15 * (busy - last.busy)) / Math.max(1, total - last.total);
  last = { busy, total };
  pending += JSON.stringify({ type: "sample", t: Date.now(), component: "cpu", device: "cpu", power_w: 1, energy_j: energy, provenance: "estimate" }) + "\\n";
  if (++n % 10 === 0) { fs.writeSync(out, pending); pending = ""; }
}, 1000);`;

/**
 * A Node program using the library, waiting inside its one epoch (a long training step): its
 * sampler's thread and its recorder track it, and nothing else runs. The timer only keeps the
 * process alive; it never fires in the bench's time.
 */
const LIBRARY_PROGRAM = `
const { CarbonTracker } = await import(process.argv[1]);
const tracker = new CarbonTracker({ epochs: 1, components: "cpu", logDir: process.argv[2], verbose: 0 });
tracker.epochStart();
setTimeout(() => {}, 2 ** 30);`;

interface Tracked {
  label: string;
  child: ChildProcess;
  /** A reference process (not ours): shown as the floor. */
  reference: boolean;
  /**
   * One of the two parts of this design's floor: a process waking once a second with nothing to
   * do but read (the recorder's job), and a Node process waking once a minute (the harvest's).
   */
  designFloor?: boolean;
  marks: ThreadCpu[];
  peakKb?: number;
  /** Resident at the end of the steady window (KB): long runs drop mapped file pages after 10 and 30 s. */
  residentKb?: number;
}

/**
 * Counts the system calls of `pid` (all threads) and its sample recorder for `seconds`: calls by
 * name; undefined when strace could not attach (the process had ended).
 */
async function straceCounts(pid: number, seconds: number): Promise<Map<string, number> | undefined> {
  const out = join(benchDir("ct-bench-strace-"), "summary.txt");
  const pids = [pid, ...childrenNamed(pid, "sample-recorder")].flatMap((p) => ["-p", String(p)]);
  const strace = spawn("strace", ["-f", "-qq", "-c", "-o", out, ...pids], { stdio: "ignore" });
  // Listened for at once: strace that cannot attach ends before the sleep is over.
  const ended = new Promise((resolve) => strace.once("exit", resolve));
  await sleep(seconds * 1000);
  if (strace.exitCode === null && strace.signalCode === null) strace.kill("SIGINT");
  await ended;
  if (!existsSync(out)) return undefined;
  const counts = new Map<string, number>();
  for (const line of readFileSync(out, "utf8").split("\n")) {
    const fields = line.trim().split(/\s+/);
    const name = fields.at(-1);
    if (fields.length < 5 || !name || name === "syscall" || name === "total" || /^-+$/.test(name)) continue;
    // % time, seconds, usecs/call, calls, [errors], syscall
    counts.set(name, Number(fields[3]));
  }
  return counts.size > 0 ? counts : undefined;
}

function sum(counts: Map<string, number>, names: string[]): number {
  return names.reduce((total, name) => total + (counts.get(name) ?? 0), 0);
}

/** ms of CPU per tracked second of `t`'s window `from` (all its threads and helpers). */
function windowMsPerS(t: Tracked, from: number): number {
  const [start, end] = [t.marks[from] as ThreadCpu, t.marks[from + 1] as ThreadCpu];
  return (end.cpuNs - start.cpuNs) / 1e6 / WINDOW_S;
}

/**
 * The least any tracker built as ours (a helper sampling each second, Node taking its samples
 * once a minute) can cost on this machine, and what each of ours costs beside it.
 */
function printDesignFloor(all: Tracked[], from: number): void {
  const floor = all.filter((t) => t.designFloor).reduce((total, t) => total + windowMsPerS(t, from), 0);
  console.log(
    `floor of this design (the C loop's wake-up a second + bare Node's once a minute): ${floor.toFixed(3)} ms/s; ours against it:`,
  );
  for (const t of all.filter((x) => !x.reference)) {
    console.log(`  ${t.label}: ${(windowMsPerS(t, from) / floor).toFixed(2)}x`);
  }
}

function printWindow(all: Tracked[], from: number, title: string): void {
  console.log(title);
  for (const t of all) {
    const [start, end] = [t.marks[from] as ThreadCpu, t.marks[from + 1] as ThreadCpu];
    const msPerS = windowMsPerS(t, from);
    const wakes = (end.runs - start.runs) / WINDOW_S;
    const helpersMsPerS = ((end.helpersNs ?? 0) - (start.helpersNs ?? 0)) / 1e6 / WINDOW_S;
    const split = t.reference
      ? ""
      : ` (${t.label.startsWith("library") ? "the program" : "the CLI"} ${(msPerS - helpersMsPerS).toFixed(3)}, its helpers ${helpersMsPerS.toFixed(3)})`;
    console.log(
      `  ${t.reference ? "(floor) " : ""}${t.label}: ${msPerS.toFixed(3)} ms CPU per tracked second${split}, ${wakes.toFixed(2)} wake-ups/s${t.reference ? "" : " (target <= 0.1 ms/s)"}`,
    );
  }
}

/** Prints ms of CPU and wake-ups per tracked second for each backend, beside bare Node's floors. */
export async function run(): Promise<void> {
  const rapl = await fakeRapl100W();
  const gpu: FakeGpu = {
    name: "NVIDIA H100 80GB HBM3",
    uuid: "GPU-11111111-0000-0000-0000-000000000000",
    energyMj: 5_000_000,
    powerMw: 250_000,
    limitMw: 700_000,
  };
  // Each fake points FAKE_NVML_CONFIG at its own config file: take each path as it is made.
  const nvml = createFakeNvml({ gpus: [gpu] });
  const nvmlConfig = process.env.FAKE_NVML_CONFIG ?? "";
  const dearNvml = createFakeNvml({ gpus: [{ ...gpu, energyCostUs: H200_ENERGY_CALL_US }] });
  const dearNvmlConfig = process.env.FAKE_NVML_CONFIG ?? "";
  // The tracked command outlives the windows and each tracker's strace, which come one after another.
  const total = WARMUP_S + 2 * WINDOW_S + MAX_TRACKERS * (STRACE_S + 3) + 10;
  const cli = (label: string, extra: Record<string, string>, components: string): Tracked => ({
    label,
    reference: false,
    marks: [],
    child: spawn(
      process.execPath,
      [CLI, "--log_dir", benchDir(), "--components", components, "sleep", String(total)],
      { env: benchEnv(extra), stdio: "ignore" },
    ),
  });
  const library = (label: string, extra: Record<string, string>): Tracked => ({
    label,
    reference: false,
    marks: [],
    child: spawn(process.execPath, ["--input-type=module", "-e", LIBRARY_PROGRAM, LIBRARY, benchDir()], {
      env: benchEnv(extra),
      stdio: "ignore",
    }),
  });
  const reference = (label: string, script: string, args: string[] = []): Tracked => ({
    label,
    reference: true,
    marks: [],
    child: spawn(process.execPath, ["-e", script, ...args], { stdio: "ignore" }),
  });
  const all: Tracked[] = [
    {
      label: "C, nanosleep 1 s + one pread of /proc/stat",
      reference: true,
      designFloor: true,
      marks: [],
      child: spawn(sleepReadLoop(), [], { stdio: "ignore" }),
    },
    {
      label: `the same C loop holding ${NODE_SIZED_MB} MB resident, as much as bare Node`,
      reference: true,
      marks: [],
      child: spawn(sleepReadLoop(), [String(NODE_SIZED_MB)], { stdio: "ignore" }),
    },
    cli("rapl (fake powercap tree, 100 W)", { CARBONTRACKER_POWERCAP_ROOT: rapl.root }, "cpu"),
    cli(
      "rapl, sampled in Node (CARBONTRACKER_SAMPLE_RECORDER=0)",
      { CARBONTRACKER_POWERCAP_ROOT: rapl.root, CARBONTRACKER_SAMPLE_RECORDER: "0" },
      "cpu",
    ),
    cli("estimate (/proc/stat)", { CARBONTRACKER_POWERCAP_ROOT: benchDir("ct-bench-no-powercap-") }, "cpu"),
    cli(
      "nvml (fake library, 1 GPU)",
      { CARBONTRACKER_NVML_LIBRARY: nvml.library, FAKE_NVML_CONFIG: nvmlConfig },
      "gpu",
    ),
    cli(
      "nvml, sampled in Node (CARBONTRACKER_SAMPLE_RECORDER=0)",
      {
        CARBONTRACKER_NVML_LIBRARY: nvml.library,
        FAKE_NVML_CONFIG: nvmlConfig,
        CARBONTRACKER_SAMPLE_RECORDER: "0",
      },
      "gpu",
    ),
    cli(
      "nvml, through a sampler thread (CARBONTRACKER_NVML_PROXY=0)",
      {
        CARBONTRACKER_NVML_LIBRARY: nvml.library,
        FAKE_NVML_CONFIG: nvmlConfig,
        CARBONTRACKER_NVML_PROXY: "0",
      },
      "gpu",
    ),
    cli(
      "nvml (fake library, energy call 4.06 ms of CPU as on an H200)",
      { CARBONTRACKER_NVML_LIBRARY: dearNvml.library, FAKE_NVML_CONFIG: dearNvmlConfig },
      "gpu",
    ),
    library("library, RAPL (a program waiting in its epoch)", { CARBONTRACKER_POWERCAP_ROOT: rapl.root }),
    library("library, RAPL, sampled in Node (CARBONTRACKER_SAMPLE_RECORDER=0)", {
      CARBONTRACKER_POWERCAP_ROOT: rapl.root,
      CARBONTRACKER_SAMPLE_RECORDER: "0",
    }),
    reference("bare node, an empty 1 s setInterval", "setInterval(() => {}, 1000)"),
    {
      ...reference("bare node, an empty 60 s setInterval (a harvest's rate)", "setInterval(() => {}, 60000)"),
      designFloor: true,
    },
    reference(
      "bare node, a 1 s Atomics.wait loop",
      "const a = new Int32Array(new SharedArrayBuffer(4)); for (;;) Atomics.wait(a, 0, 0, 1000);",
    ),
    reference("bare node, a minimal sampler (read, parse, append a line) every 1 s", MINIMAL_SAMPLER, [
      join(benchDir(), "samples.jsonl"),
    ]),
  ];
  if (all.filter((t) => !t.reference).length > MAX_TRACKERS) throw new Error("raise MAX_TRACKERS");
  const mark = () => {
    for (const t of all) t.marks.push(trackerCpu(t.child.pid as number));
  };
  try {
    await sleep(WARMUP_S * 1000);
    mark();
    await sleep(WINDOW_S * 1000);
    mark();
    await sleep(WINDOW_S * 1000);
    mark();
    for (const t of all) {
      t.peakKb = peakRssKb(t.child.pid as number);
      t.residentKb = residentKb(t.child.pid as number);
    }
    printWindow(all, 0, `first ${WINDOW_S} s after a ${WARMUP_S} s warm-up (all threads, schedstat):`);
    printWindow(all, 1, `the next ${WINDOW_S} s (steady):`);
    printDesignFloor(all, 1);
    console.log("peak RSS (resident at the end of the steady window):");
    for (const t of all) {
      const mb = (kb: number | undefined) => ((kb ?? 0) / 1024).toFixed(1);
      console.log(`  ${t.label}: ${mb(t.peakKb)} MB (${mb(t.residentKb)} MB)`);
    }
    if (!toolRuns("strace", "-V")) {
      console.log("system calls per sample: skipped (no strace on this machine)");
      return;
    }
    console.log(
      `system calls per sample (strace -f -c over ${STRACE_S} s, 1 sample/s, with the recorder's):`,
    );
    for (const t of all.filter((x) => !x.reference)) {
      const counts = await straceCounts(t.child.pid as number, STRACE_S);
      if (!counts) {
        console.log(`  ${t.label}: not counted (strace could not attach: the process had ended)`);
        continue;
      }
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
    dearNvml.cleanup();
  }
}
