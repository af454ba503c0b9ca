// The sample recorder's executable as `npm install` builds it (dist/native): tests run the real one.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { childrenNamed } from "./proc-children.js";

/** The built recorder; fails the test with the command that builds it when it is missing. */
export function recorderBinary(): string {
  const path = resolve("dist/native/sample-recorder");
  if (!existsSync(path))
    throw new Error(`${path} is missing: run \`npm run build\` (it needs a C compiler, cc)`);
  return path;
}

/** Kills the CLI's recorder (SIGKILL, as a crash would); returns when. */
export function killRecorderOf(cliPid: number): number {
  const [recorder] = childrenNamed(cliPid, "sample-recorder");
  assert.ok(recorder !== undefined, "a recorder ran");
  process.kill(recorder, "SIGKILL");
  return Date.now();
}

/**
 * Samples go on every second after the recorder died at `killedAt`: the first within 1.1 s, and
 * at least `count` of them.
 */
export function assertSamplingResumed(
  samples: readonly { t: number }[],
  killedAt: number,
  count: number,
): void {
  const after = samples.filter((s) => s.t > killedAt).map((s) => s.t - killedAt);
  assert.ok(after.length >= count, `samples after the recorder died: ${after.join(", ")}`);
  assert.ok((after[0] as number) < 1100, `the first sample after it died came ${after[0]} ms later`);
}
