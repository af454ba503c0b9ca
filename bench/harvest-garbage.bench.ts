// What the CLI allocates for each sample its sample recorder took (issue 16): on the build VM a
// harvest's garbage is page faults, as V8 maps its young generation's pages afresh after a
// collection. The CLI tracks a sleeping command on a fake RAPL tree at 100 W, sampling every
// SAMPLE_S (a harvest a minute, sampling/sample-batch.ts), with V8's sampling heap profiler
// preloaded (helpers/heap-sampling.cjs, collected objects included) over the harvests after the
// ring's first lap (4 harvests: a slot's parsed sample is made at its first read, once a run).
// Prints the bytes allocated per sample record written in that window, and the functions that
// allocated most.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { benchDir, benchEnv, CLI, fakeRapl100W } from "./helpers/bench-world.js";

const SAMPLE_S = Number(process.env.HARVEST_BENCH_SAMPLE_S ?? 0.2);
/**
 * Two harvests after the ring's first lap (4 harvests of a minute, the first about 62 s in), the
 * window's edges half-way between harvests.
 */
const FROM_MS = 272_000;
const TO_MS = 392_000;

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

/** Bytes allocated by each function (self), over the whole profile. */
function selfSizes(head: ProfileNode): Map<string, number> {
  const sizes = new Map<string, number>();
  const walk = (node: ProfileNode) => {
    const frame = node.callFrame;
    const name = `${frame.functionName || "(anonymous)"} ${frame.url.split("/").pop() ?? ""}:${frame.lineNumber + 1}`;
    sizes.set(name, (sizes.get(name) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child);
  };
  walk(head);
  return sizes;
}

/** Sample records in the run's JSONL so far. */
function sampleRecords(logDir: string): number {
  const jsonl = readdirSync(logDir).find((name) => name.endsWith(".jsonl"));
  if (jsonl === undefined) return 0;
  return readFileSync(join(logDir, jsonl), "utf8").split('"type":"sample"').length - 1;
}

export async function run(): Promise<void> {
  const rapl = await fakeRapl100W();
  const dir = benchDir("ct-bench-garbage-");
  const out = join(dir, "heap.json");
  try {
    const env = benchEnv({
      CARBONTRACKER_POWERCAP_ROOT: rapl.root,
      HEAP_SAMPLING_OUT: out,
      HEAP_SAMPLING_FROM_MS: String(FROM_MS),
      HEAP_SAMPLING_TO_MS: String(TO_MS),
    });
    const logDir = join(dir, "logs");
    const child = spawn(
      process.execPath,
      [
        "--require",
        resolve("bench/helpers/heap-sampling.cjs"),
        CLI,
        "--update-interval",
        String(SAMPLE_S),
        "--log-dir",
        logDir,
        "--no-live",
        "sleep",
        String(TO_MS / 1000 + 5),
      ],
      { env, stdio: "ignore" },
    );
    console.log(`tracking a sleeping command for ${TO_MS / 1000 + 5} s, a sample every ${SAMPLE_S} s ...`);
    await sleep(FROM_MS);
    const before = sampleRecords(logDir);
    await sleep(TO_MS - FROM_MS + 1000);
    const samples = sampleRecords(logDir) - before;
    const profile = JSON.parse(readFileSync(out, "utf8")) as { head: ProfileNode };
    child.kill("SIGINT");
    await once(child, "exit");
    const sizes = selfSizes(profile.head);
    const total = [...sizes.values()].reduce((sum, size) => sum + size, 0);
    console.log(
      `allocated per recorded sample (harvests ${FROM_MS / 1000}-${TO_MS / 1000} s into the run): ${(total / Math.max(1, samples) / 1024).toFixed(2)} KB (${(total / 1024 / 1024).toFixed(2)} MB over ${samples} sample records)`,
    );
    console.log("most allocating functions (KB per sample):");
    for (const [name, size] of [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 12))
      console.log(`  ${(size / Math.max(1, samples) / 1024).toFixed(3).padStart(7)}  ${name}`);
  } finally {
    await rapl.stop();
  }
}
