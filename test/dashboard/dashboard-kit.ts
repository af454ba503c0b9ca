// What the dashboard tests share: a dashboard started through the real CLI, a headless Debian
// chromium driven by playwright-core (which downloads no browser), screenshots kept as test
// artifacts, and log folders made of real CLI runs and the original's logs.
import { existsSync, mkdirSync, cpSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ChildProcess } from "node:child_process";
import { chromium, type BrowserContext } from "playwright-core";
import { cliEnv, runCli, startCli, tempDir, type CliRun } from "../helpers/cli-process.js";

/** The system browser `.ci/run` installs (Debian package `chromium`). */
export const CHROMIUM = process.env.CARBONTRACKER_TEST_CHROMIUM ?? "/usr/bin/chromium";

/** Why browser tests cannot run here, or false; in CI a missing browser fails instead. */
export function browserSkip(): string | false {
  if (existsSync(CHROMIUM)) return false;
  if (process.env.CI)
    throw new Error(`${CHROMIUM} is missing: .ci/run installs the Debian package chromium.`);
  return `no chromium at ${CHROMIUM} (apt-get install chromium; CI installs it)`;
}

/** Screenshots and page dumps go here (printed once, ignored by git). */
export const ARTIFACTS = resolve("test-artifacts/dashboard");

let announced = false;
/** The artifact path of `name`, the folder made and printed on first use. */
export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  if (!announced) {
    console.log(`# dashboard screenshots in ${ARTIFACTS}`);
    announced = true;
  }
  return join(ARTIFACTS, name);
}

/** A fresh headless chromium with its own profile, as the issue prescribes. */
export async function openBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const context = await chromium.launchPersistentContext(tempDir("ct-chromium-"), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return { context, close: () => context.close() };
}

/** A dashboard started by the real CLI, and how to stop it. */
export interface RunningDashboard {
  url: string;
  child: ChildProcess;
  stdout: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<CliRun>;
}

/** Starts `carbontracker dashboard ARGS` and resolves once it prints its URL. */
export async function startDashboard(args: string[], env = cliEnv()): Promise<RunningDashboard> {
  const { child, done } = startCli(["dashboard", ...args], { env });
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL in 20 s: ${out}${err}`)), 20_000);
    const look = () => {
      const match = /Open (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1] as string);
      }
    };
    child.stdout?.on("data", look);
    void done.then((run) => reject(new Error(`dashboard exited ${run.code}: ${run.stdout}${run.stderr}`)));
  });
  return {
    url,
    child,
    stdout: () => out,
    stop: (signal = "SIGTERM") => {
      child.kill(signal);
      return done;
    },
  };
}

/** One finished CLI run of `sleep` on a simulated CPU, logged to `dir` (SLURM env optional). */
export async function recordRun(
  dir: string,
  extraEnv: Record<string, string> = {},
  seconds = "0.4",
): Promise<void> {
  const env = cliEnv({ CARBONTRACKER_LOCK_DIR: tempDir("ct-locks-"), ...extraEnv });
  const run = await runCli(
    [
      "--log-dir",
      dir,
      "--sim-cpu",
      "Sim CPU",
      "--sim-cpu-tdp",
      "100",
      "--update-interval",
      "0.1",
      "sleep",
      seconds,
    ],
    { env },
  );
  if (run.code !== 0) throw new Error(`CLI run failed (${run.code}): ${run.stderr}`);
}

/** The original 2.3 logs of three runs, copied into `dir`. */
export function copyOriginalLogs(dir: string): void {
  cpSync(resolve("test/fixtures/carbontracker-logs/generated/multi-01-three-runs-2.3"), dir, {
    recursive: true,
    filter: (src) => !/expected\.json$|stdout-run\d\.txt$/.test(src),
  });
}
