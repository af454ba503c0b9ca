// Shared by the Python bindings' tests: a real Python 3 (one that imports torch where a test
// needs PyTorch), the package folder on PYTHONPATH, offline and temp-folder environments, and a
// watch on the engine processes a run starts.
import { parentPid } from "../helpers/proc-children.js";
import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TestContext } from "node:test";
import { IN_CI } from "../helpers/ci-only.js";

/** The Python package's folder (what `carbontracker python-package` prints). */
export const PACKAGE_DIR = resolve("clients/python");
/** Python scripts the tests run. */
export const FIXTURES = resolve("test/python/fixtures");

const candidates = () =>
  [process.env.CARBONTRACKER_TEST_PYTHON, "python3", "/usr/bin/python3"].filter((p): p is string => !!p);

function imports(python: string, code: string): boolean {
  return spawnSync(python, ["-c", code], { stdio: "ignore", timeout: 60_000 }).status === 0;
}

let anyPython: string | null | undefined;
let torchPython: string | null | undefined;

/** A Python >= 3.8 (CARBONTRACKER_TEST_PYTHON, python3, /usr/bin/python3), or undefined. */
export function findPython(): string | undefined {
  anyPython ??= candidates().find((p) => imports(p, "import sys; assert sys.version_info >= (3, 8)")) ?? null;
  return anyPython ?? undefined;
}

/** The first of those that imports torch, or undefined. */
export function findTorchPython(): string | undefined {
  torchPython ??= candidates().find((p) => imports(p, "import torch")) ?? null;
  return torchPython ?? undefined;
}

/**
 * The Python to use, or undefined after skipping the test visibly; in CI (CI set) a missing one
 * fails the test instead, since CI installs it (.ci/run).
 */
export function pythonFor(t: TestContext, needs: "python" | "torch"): string | undefined {
  const python = needs === "torch" ? findTorchPython() : findPython();
  if (python) return python;
  const what =
    needs === "torch"
      ? "no Python with PyTorch (apt-get install python3-torch, or set CARBONTRACKER_TEST_PYTHON)"
      : "no python3 >= 3.8";
  if (IN_CI) throw new Error(`${what}: CI installs it (.ci/run), so this is a failure`);
  t.skip(what);
  return undefined;
}

/** A temp folder removed when the test ends. */
export function tempFolder(t: TestContext, prefix = "ct-py-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Environment for a Python run: offline, the package on PYTHONPATH, plus `extra`. */
export function pythonEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CARBONTRACKER_OFFLINE: "1",
    ...(process.env.CARBONTRACKER_CACHE_DIR
      ? { CARBONTRACKER_CACHE_DIR: process.env.CARBONTRACKER_CACHE_DIR }
      : {}),
    PYTHONPATH: PACKAGE_DIR,
    PYTHONDONTWRITEBYTECODE: "1",
    ...extra,
  };
}

/** What a finished Python run left. */
export interface PythonRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `python args...` to its end. */
export function runPython(
  python: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): Promise<PythonRun> {
  const child = spawn(python, args, { env: options.env ?? pythonEnv(), cwd: options.cwd });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.input ?? "");
  return new Promise((done) => child.on("close", (code, signal) => done({ code, signal, stdout, stderr })));
}

/**
 * Runs `python -c` on the lines `script` gives for a fresh log folder (removed with the test),
 * with `env`; undefined when the test was skipped for want of a Python.
 */
export async function runScript(
  t: TestContext,
  script: (logDir: string) => string[],
  env?: NodeJS.ProcessEnv,
): Promise<(PythonRun & { logDir: string }) | undefined> {
  const python = pythonFor(t, "python");
  if (!python) return undefined;
  const logDir = join(tempFolder(t), "logs");
  return { ...(await runPython(python, ["-c", script(logDir).join("\n")], { env })), logDir };
}

/** Runs a command with stdout and stderr on one file, so the text shows the order of writing. */
export function runMerged(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<{ code: number | null; merged: string }> {
  const out = join(mkdtempSync(join(tmpdir(), "ct-py-merged-")), "out.txt");
  const fd = openSync(out, "w");
  const child = spawn(file, args, {
    env: options.env ?? pythonEnv(),
    cwd: options.cwd,
    stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  return new Promise((done) =>
    child.on("close", (code) => {
      const merged = readFileSync(out, "utf8");
      rmSync(out, { force: true });
      done({ code, merged });
    }),
  );
}

/** Pids of live `carbontracker engine` processes whose environment holds `marker`. */
export function enginePids(marker: string): number[] {
  const found = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
      if (argv[argv.length - 2] !== "engine" && argv[argv.length - 1] !== "engine") continue;
      if (!readFileSync(`/proc/${name}/environ`, "utf8").split("\0").includes(marker)) continue;
      found.set(Number(name), parentPid(readFileSync(`/proc/${name}/stat`, "utf8")));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  // A child the engine is starting (its sample recorder, between fork and exec) still shows the
  // engine's command line and environment: it is not another engine.
  return [...found].filter(([, parent]) => !found.has(parent)).map(([pid]) => pid);
}

/** Watches for engine processes of `marker` every 25 ms; `stop()` gives every pid seen. */
export function watchEngines(marker: string): { stop: () => number[] } {
  const seen = new Set<number>();
  const timer = setInterval(() => enginePids(marker).forEach((pid) => seen.add(pid)), 25);
  return {
    stop: () => {
      clearInterval(timer);
      enginePids(marker).forEach((pid) => seen.add(pid));
      return [...seen];
    },
  };
}

/** JSONL records of the one run in `logDir`. */
export function jsonlRecords(logDir: string): Record<string, unknown>[] {
  const files = readdirSync(logDir).filter((f) => f.endsWith("_carbontracker.jsonl"));
  if (files.length !== 1)
    throw new Error(`expected one run in ${logDir}, found ${files.join(", ") || "none"}`);
  return readFileSync(join(logDir, files[0] as string), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
