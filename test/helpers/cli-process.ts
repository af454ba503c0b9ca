// Runs the built CLI (dist/, built by scripts/run-tests.mjs) as a user would, and collects
// what it prints and how it exits.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** Path of the built CLI entry point. */
export const CLI = resolve("dist/bundle/cli.cjs");

/** What a finished CLI run left. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A fresh temp folder. */
export function tempDir(prefix = "ct-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Environment for a CLI run: offline, no inherited seams, a fresh empty HOME (so no location
 * cached in anybody's `~/.cache/carbontracker` reaches the run), plus overrides.
 */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: tempDir("ct-home-"),
    CARBONTRACKER_OFFLINE: "1",
  };
  // The test run's own temp folder (scripts/run-tests.mjs), so what a killed CLI leaves goes with it.
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  return { ...env, ...extra };
}

/**
 * Starts the CLI; `done` resolves when it exits. `detached`: in a process group of its own, as a
 * shell starts a job (a signal to `-pid` then reaches it and all it started, as Ctrl-C does).
 */
export function startCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; detached?: boolean } = {},
): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: options.env ?? cliEnv(),
    cwd: options.cwd,
    stdio: ["pipe", "pipe", "pipe"],
    detached: options.detached ?? false,
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  if (options.input !== undefined) child.stdin?.end(options.input);
  else child.stdin?.end();
  const done = new Promise<CliRun>((resolveRun) => {
    child.on("close", (code, signal) => resolveRun({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Runs the CLI to the end. */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): Promise<CliRun> {
  return startCli(args, options).done;
}

/**
 * Starts the CLI with stdout and stderr on one file, as a terminal or a SLURM `.out` file gets
 * them: `read()` shows, at any moment, the order in which the CLI's lines and the child's were
 * written; `done` resolves when it exits.
 */
export function startCliMerged(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): { child: ChildProcess; read: () => string; done: Promise<{ code: number | null; merged: string }> } {
  const file = join(tempDir("ct-merged-"), "out.txt");
  const fd = openSync(file, "w");
  const child = spawn(process.execPath, [CLI, ...args], {
    env: options.env ?? cliEnv(),
    cwd: options.cwd,
    stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  const read = () => readFileSync(file, "utf8");
  const done = new Promise<{ code: number | null; merged: string }>((resolveRun) => {
    child.on("close", (code) => resolveRun({ code, merged: read() }));
  });
  return { child, read, done };
}

/** Runs the CLI to the end with stdout and stderr on one file (see startCliMerged). */
export function runCliMerged(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<{ code: number | null; merged: string }> {
  return startCliMerged(args, options).done;
}
