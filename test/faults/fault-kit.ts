// What every fault test needs: the built CLI started in its own process group (so a test can
// kill what it leaves, grandchildren included), waits for a line or an exit with a deadline, and
// readers of everything a run left on disk.
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { CLI, cliEnv } from "../helpers/cli-process.js";

/** A CLI run under way. */
export interface FaultRun {
  child: ChildProcess;
  /** What it printed so far. */
  out: () => string;
  err: () => string;
  /** Both streams in the order their chunks arrived (the CLI's lines are on stderr, the child's where it wrote them). */
  both: () => string;
  /** Resolves when the CLI process itself exits (not its inherited pipes). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>;
  /** Resolves when its stdout and stderr are closed too: everything it printed has been read. */
  closed: Promise<void>;
  /** Resolves when `text` has been printed on stdout or stderr; rejects after `ms`. */
  waitFor: (text: string | RegExp, ms?: number) => Promise<void>;
  /** Kills the whole process group (the CLI, its child and any grandchildren). */
  killGroup: () => void;
}

/** Starts the built CLI as its own process-group leader, stdin a pipe left open unless `input`. */
export function startGroup(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; keepStdinOpen?: boolean } = {},
): FaultRun {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    env: options.env ?? cliEnv(),
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  let both = "";
  const waiters: (() => void)[] = [];
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    both += chunk.toString();
    for (const w of [...waiters]) w();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    both += chunk.toString();
    for (const w of [...waiters]) w();
  });
  child.stdin?.on("error", () => undefined);
  if (options.input !== undefined) child.stdin?.end(options.input);
  else if (!options.keepStdinOpen) child.stdin?.end();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>(
    (resolve) =>
      child.on("exit", (code, signal) => {
        resolve({ code, signal, afterMs: Date.now() - started });
        for (const w of [...waiters]) w();
      }),
  );
  const waitFor = (text: string | RegExp, ms = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const seen = () => (typeof text === "string" ? both.includes(text) : text.test(both));
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(check), 1);
        reject(new Error(`no ${String(text)} within ${ms} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
      }, ms);
      const check = () => {
        if (seen()) {
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(check), 1);
          resolve();
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(check), 1);
          reject(new Error(`exited before ${String(text)}; stdout:\n${stdout}\nstderr:\n${stderr}`));
        }
      };
      waiters.push(check);
      check();
    });
  const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
  return {
    child,
    closed,
    out: () => stdout,
    err: () => stderr,
    both: () => both,
    exited,
    waitFor,
    killGroup: () => {
      try {
        process.kill(-(child.pid as number), "SIGKILL");
      } catch {
        // Already gone.
      }
    },
  };
}

/** The files of the one run in `dir`. */
export function runFilesIn(dir: string) {
  const names = readdirSync(dir);
  const text = (suffix: string) => {
    const name = names.find((n) => n.endsWith(suffix));
    return name ? readFileSync(join(dir, name), "utf8") : "";
  };
  const jsonl = text("_carbontracker.jsonl");
  return {
    names,
    standard: text("_carbontracker.log"),
    output: text("_carbontracker_output.log"),
    err: text("_carbontracker_err.log"),
    jsonl,
    /** Every JSONL line parsed (throws on a torn line). */
    records: jsonl
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Everything under `dir` (recursively) as one text, for secret greps. */
export function allText(dir: string): string {
  let text = "";
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const info = statSync(path);
    if (info.isDirectory()) text += allText(path);
    else if (info.isFile()) text += `\n--- ${name}\n${readFileSync(path, "latin1")}`;
  }
  return text;
}

/** Epoch numbers of the standard log's "Epoch N:" lines. */
export function standardEpochs(standard: string): number[] {
  return [...standard.matchAll(/ - Epoch (\d+):$/gm)].map((m) => Number(m[1]));
}

/** The simulated CPU every CLI run here measures (50 W: 100 W TDP at 50 %). */
export const SIM = ["--sim-cpu", "Sim CPU", "--sim-cpu-tdp", "100"];
