// Start-up cost of the CLI against bare Node, runs alternated so both see the same machine load:
// launch -> wrapped child running (the child prints its own start time), total CPU and peak RSS
// of a run whose command ends at once, and for the library the time from `new CarbonTracker()`
// to the first `epochStart()` having returned. A fake RAPL tree at 100 W stands for the CPU; the
// same run without it shows the CPU estimate's cost (the path of most machines without root), and
// with a GPU (NVML on the fake library) the path of a GPU machine: NVML's calls run in the sampler
// worker, which the CLI starts once its command runs and the library beside the caller's first
// epoch (the GPU joins late in both). The library is imported as its users import it (the
// package's "." export, one bundled module).
// With valgrind, the same short runs are counted in instructions too (callgrind), a figure the
// machine's load barely moves. Every run above is offline; a last pair runs a half-second command
// as users run it, online, its services (IP geolocation, Energi Data Service) on loopback.
// Targets (issue 16): launch <= bare Node + 25 ms; CPU <= 1.5x bare Node; library <= 50 ms.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createFakeNvml } from "../test/helpers/fake-nvml.js";
import { loopbackEnv, startLoopbackServer, type LoopbackServer } from "../test/intensity/loopback-server.js";
import { benchDir, benchEnv, CLI, fakeRapl100W, LIBRARY } from "./helpers/bench-world.js";
import {
  instructionsM,
  measuredRun,
  median,
  rusageRunner,
  toolRuns,
  type MeasuredRun,
} from "./helpers/process-meter.js";

const ROUNDS = Number(process.env.STARTUP_BENCH_ROUNDS ?? 21);
const LIBRARY_ROUNDS = Number(process.env.STARTUP_BENCH_LIBRARY_ROUNDS ?? 11);
/** Callgrind runs of each (0 skips them); each takes a few seconds. */
const CALLGRIND_ROUNDS = Number(process.env.STARTUP_BENCH_CALLGRIND_ROUNDS ?? 5);

/** Bare Node doing the least a wrapper does: start, spawn the command, wait for it. */
const BARE_WRAPPER =
  "require('node:child_process').spawnSync(process.argv[1], process.argv.slice(2), { stdio: 'inherit' })";

function ours(command: string[]): string[] {
  return [process.execPath, CLI, "--log_dir", benchDir(), ...command];
}

function bare(command: string[]): string[] {
  return [process.execPath, "-e", BARE_WRAPPER, ...command];
}

/** Milliseconds from the fork of the wrapper to its child printing `date +%s%N`. */
function launchMs(run: MeasuredRun): number {
  const childNs = BigInt(/^(\d{19})$/m.exec(run.stdout)?.[1] ?? "0");
  if (childNs === 0n) throw new Error(`the child printed no start time: ${JSON.stringify(run.stdout)}`);
  return Number(childNs - run.launchNs) / 1e6;
}

function describe(values: number[], unit: string, digits = 1): string {
  return `median ${median(values).toFixed(digits)} ${unit} (min ${Math.min(...values).toFixed(digits)}, max ${Math.max(...values).toFixed(digits)})`;
}

/** The library: import time, and new CarbonTracker() -> first epochStart() returned, in a fresh process. */
function libraryStart(env: NodeJS.ProcessEnv): { importMs: number; readyMs: number } {
  const script = `
    const t0 = performance.now();
    const { CarbonTracker } = await import(${JSON.stringify(pathToFileURL(LIBRARY).href)});
    const t1 = performance.now();
    const tracker = new CarbonTracker({ epochs: 1, logDir: ${JSON.stringify(benchDir())}, verbose: 0 });
    tracker.epochStart();
    const t2 = performance.now();
    await tracker.stop();
    console.log(JSON.stringify({ importMs: t1 - t0, readyMs: t2 - t1 }));`;
  // A file, not --eval: the library's sampler worker inherits execArgv, where --input-type is refused.
  const file = join(benchDir(), "library-start.mjs");
  writeFileSync(file, script);
  const result = spawnSync(process.execPath, [file], { env, encoding: "utf8" });
  const line = result.stdout.split("\n").find((l) => l.startsWith('{"importMs"'));
  if (!line) throw new Error(`library start printed no figures:\n${result.stdout}\n${result.stderr}`);
  return JSON.parse(line) as { importMs: number; readyMs: number };
}

/**
 * The short run's CPU again as instructions (callgrind): the same ratio without the machine's
 * noise, which moves the CPU ratio by +-0.15 from one bench run to the next here.
 */
function printInstructions(env: NodeJS.ProcessEnv, estimateEnv: NodeJS.ProcessEnv): void {
  if (CALLGRIND_ROUNDS <= 0) return;
  if (!toolRuns("valgrind", "--version")) {
    console.log("instructions (callgrind): skipped, no valgrind on this machine");
    return;
  }
  const counts = (argv: string[], runEnv: NodeJS.ProcessEnv) =>
    median(Array.from({ length: CALLGRIND_ROUNDS }, () => instructionsM(argv, runEnv)));
  const bareM = counts(bare(["true"]), env);
  const raplM = counts(ours(["true"]), env);
  const estimateM = counts(ours(["true"]), estimateEnv);
  console.log(`instructions in user space (callgrind, all threads), median of ${CALLGRIND_ROUNDS}:`);
  console.log(`  bare node spawnSync(true): ${bareM.toFixed(1)} M`);
  console.log(
    `  carbontracker true, RAPL:     ${raplM.toFixed(1)} M, ${(raplM / bareM).toFixed(2)}x (target <= 1.5x)`,
  );
  console.log(
    `  carbontracker true, estimate: ${estimateM.toFixed(1)} M, ${(estimateM / bareM).toFixed(2)}x`,
  );
}

/** IP geolocation placing the machine in Copenhagen, and Energi Data Service's latest figures. */
function onlineServices(): Promise<LoopbackServer> {
  return startLoopbackServer((request) => {
    if (request.path.startsWith("/ipinfo/json")) {
      return {
        body: {
          ip: "192.0.2.1",
          city: "Copenhagen",
          region: "Capital Region",
          country: "DK",
          loc: "55.6759,12.5655",
          timezone: "Europe/Copenhagen",
        },
      };
    }
    if (!request.path.startsWith("/eds")) return undefined;
    const at = new Date(Math.floor(Date.now() / 300_000) * 300_000).toISOString().slice(0, 19);
    return {
      body: {
        total: 2,
        limit: 2,
        dataset: "CO2Emis",
        records: ["DK1", "DK2"].map((area, i) => ({
          Minutes5UTC: at,
          Minutes5DK: at,
          PriceArea: area,
          CO2Emission: 120 + 40 * i,
        })),
      },
    };
  });
}

/** Prints launch, CPU, RSS and library figures, ours beside bare Node. */
export async function run(): Promise<void> {
  const runner = rusageRunner();
  const rapl = await fakeRapl100W();
  // A GPU machine: RAPL and one GPU through NVML (the fake library, its calls as cheap as can be).
  const nvml = createFakeNvml({
    gpus: [{ name: "NVIDIA H100 80GB HBM3", uuid: "GPU-1", energyMj: 5_000_000, powerMw: 250_000 }],
  });
  try {
    const env = benchEnv({ CARBONTRACKER_POWERCAP_ROOT: rapl.root });
    // No powercap tree: the CPU estimate from /proc, what most machines without root get.
    const estimateEnv = benchEnv({ CARBONTRACKER_POWERCAP_ROOT: benchDir("ct-bench-no-powercap-") });
    const gpuEnv = benchEnv({
      CARBONTRACKER_POWERCAP_ROOT: rapl.root,
      CARBONTRACKER_NVML_LIBRARY: nvml.library,
      FAKE_NVML_CONFIG: process.env.FAKE_NVML_CONFIG ?? "",
    });
    // One unmeasured run of each warms the file cache.
    await measuredRun(runner, ours(["true"]), env);
    await measuredRun(runner, bare(["true"]), env);
    const launch = { ours: [] as number[], bare: [] as number[], diff: [] as number[] };
    const cpu = { ours: [] as number[], bare: [] as number[] };
    const rss = { ours: [] as number[], bare: [] as number[] };
    const estimate = { cpu: [] as number[], rss: [] as number[] };
    const withGpu = { launch: [] as number[], cpu: [] as number[], rss: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      const first = i % 2 === 0;
      const a = await measuredRun(runner, (first ? ours : bare)(["date", "+%s%N"]), env);
      const b = await measuredRun(runner, (first ? bare : ours)(["date", "+%s%N"]), env);
      const [o, n] = first ? [a, b] : [b, a];
      launch.ours.push(launchMs(o));
      launch.bare.push(launchMs(n));
      launch.diff.push(launchMs(o) - launchMs(n));
      const c = await measuredRun(runner, (first ? ours : bare)(["true"]), env);
      const d = await measuredRun(runner, (first ? bare : ours)(["true"]), env);
      const [oc, nc] = first ? [c, d] : [d, c];
      cpu.ours.push(oc.cpuMs);
      cpu.bare.push(nc.cpuMs);
      rss.ours.push(oc.maxRssKb / 1024);
      rss.bare.push(nc.maxRssKb / 1024);
      const e = await measuredRun(runner, ours(["true"]), estimateEnv);
      estimate.cpu.push(e.cpuMs);
      estimate.rss.push(e.maxRssKb / 1024);
      withGpu.launch.push(launchMs(await measuredRun(runner, ours(["date", "+%s%N"]), gpuEnv)));
      const g = await measuredRun(runner, ours(["true"]), gpuEnv);
      withGpu.cpu.push(g.cpuMs);
      withGpu.rss.push(g.maxRssKb / 1024);
    }
    console.log(`launch -> child running, n=${ROUNDS} alternated pairs:`);
    console.log(`  carbontracker date:        ${describe(launch.ours, "ms")}`);
    console.log(`  bare node spawnSync(date): ${describe(launch.bare, "ms")}`);
    console.log(
      `  difference: ${(median(launch.ours) - median(launch.bare)).toFixed(1)} ms between medians, median of pairs ${median(launch.diff).toFixed(1)} ms (target <= 25 ms)`,
    );
    console.log(`total CPU (user + system) of a run whose command ends at once, n=${ROUNDS}:`);
    console.log(`  carbontracker true:        ${describe(cpu.ours, "ms")}`);
    console.log(`  bare node spawnSync(true): ${describe(cpu.bare, "ms")}`);
    console.log(`  ratio of medians: ${(median(cpu.ours) / median(cpu.bare)).toFixed(2)}x (target <= 1.5x)`);
    console.log(
      `peak RSS of that run: carbontracker ${describe(rss.ours, "MB")}; bare node ${describe(rss.bare, "MB")} (target <= 55 MB)`,
    );
    console.log(`the same run without RAPL (the CPU estimate from /proc), n=${ROUNDS}:`);
    console.log(
      `  CPU ${describe(estimate.cpu, "ms")}, ${(median(estimate.cpu) / median(cpu.bare)).toFixed(2)}x bare node; peak RSS ${describe(estimate.rss, "MB")}`,
    );
    console.log(`the same runs with a GPU (NVML, fake library), n=${ROUNDS}:`);
    console.log(
      `  launch -> child ${describe(withGpu.launch, "ms")}, ${(median(withGpu.launch) - median(launch.bare)).toFixed(1)} ms after bare node's median`,
    );
    console.log(
      `  CPU ${describe(withGpu.cpu, "ms")}, ${(median(withGpu.cpu) / median(cpu.bare)).toFixed(2)}x bare node; peak RSS ${describe(withGpu.rss, "MB")}`,
    );
    const services = await onlineServices();
    const online = {
      cpu: [] as number[],
      rss: [] as number[],
      offlineCpu: [] as number[],
      offlineRss: [] as number[],
    };
    // Its own cache: the location it learns (DK) is cached there, for the library's second row.
    const onlineEnv: NodeJS.ProcessEnv = {
      ...env,
      ...loopbackEnv(services.url),
      CARBONTRACKER_CACHE_DIR: benchDir("ct-bench-online-cache-"),
    };
    delete onlineEnv.CARBONTRACKER_OFFLINE;
    const onlineRounds = Math.ceil(ROUNDS / 3);
    for (let i = 0; i < onlineRounds; i++) {
      const on = await measuredRun(runner, ours(["sleep", "0.5"]), onlineEnv);
      const off = await measuredRun(runner, ours(["sleep", "0.5"]), env);
      online.cpu.push(on.cpuMs);
      online.rss.push(on.maxRssKb / 1024);
      online.offlineCpu.push(off.cpuMs);
      online.offlineRss.push(off.maxRssKb / 1024);
    }
    const asked = services.requests.length;
    await services.close();
    console.log(
      `a 0.5 s command online (services on loopback, ${asked} requests answered), n=${onlineRounds}:`,
    );
    console.log(`  online:  CPU ${describe(online.cpu, "ms")}; peak RSS ${describe(online.rss, "MB")}`);
    console.log(
      `  offline: CPU ${describe(online.offlineCpu, "ms")}; peak RSS ${describe(online.offlineRss, "MB")}`,
    );
    printInstructions(env, estimateEnv);
    const library = Array.from({ length: LIBRARY_ROUNDS }, () => libraryStart(env));
    // Offline still, but the place is known (cached by the online runs): its annual figure is read.
    const placeEnv = { ...env, CARBONTRACKER_CACHE_DIR: onlineEnv.CARBONTRACKER_CACHE_DIR };
    const libraryPlace = Array.from({ length: LIBRARY_ROUNDS }, () => libraryStart(placeEnv));
    const libraryGpu = Array.from({ length: LIBRARY_ROUNDS }, () => libraryStart(gpuEnv));
    console.log(`library, fresh process each, n=${LIBRARY_ROUNDS}:`);
    console.log(
      `  import:                                   ${describe(
        library.map((l) => l.importMs),
        "ms",
      )}`,
    );
    console.log(
      `  new CarbonTracker() -> epochStart() done: ${describe(
        library.map((l) => l.readyMs),
        "ms",
      )} (target <= 50 ms)`,
    );
    console.log(
      `  the same with a cached location (DK):    ${describe(
        libraryPlace.map((l) => l.readyMs),
        "ms",
      )}`,
    );
    console.log(
      `  the same with a GPU (NVML, fake library): ${describe(
        libraryGpu.map((l) => l.readyMs),
        "ms",
      )}`,
    );
  } finally {
    nvml.cleanup();
    await rapl.stop();
  }
}
