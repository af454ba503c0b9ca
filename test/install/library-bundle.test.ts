// The package's library entry (package.json "." → dist/bundle/library.mjs, made by
// scripts/bundle.mjs) is one ES module built from src/index.ts: it must export what the sources
// export, under the same names (error classes keep theirs), and track from where it lies (its
// sampler worker and data found beside it). The packed package is exercised by package-install.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as sources from "../../src/index.js";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as {
  version: string;
  main: string;
  exports: Record<string, { import: string; types: string }>;
};
const entry = pkg.exports["."]?.import as string;

/** Each export's kind, and a function's (a class's) own name. */
function surface(module: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(module).map(([key, value]) => [
      key,
      typeof value === "function" ? `function ${value.name}` : typeof value,
    ]),
  );
}

test("the library entry is the bundle, exporting what the sources export under the same names", async () => {
  assert.equal(entry, "./dist/bundle/library.mjs");
  assert.equal(resolve(pkg.main), resolve(entry));
  const bundle = (await import(pathToFileURL(resolve(entry)).href)) as Record<string, unknown>;
  assert.deepEqual(surface(bundle), surface(sources as Record<string, unknown>));
  assert.equal(bundle.VERSION, pkg.version);
});

test("the bundle tracks: a simulated CPU's epochs through its own sampler worker, a bad option's typed error", async () => {
  const bundle = (await import(pathToFileURL(resolve(entry)).href)) as typeof sources;
  const tracker = new bundle.CarbonTracker({
    epochs: 1,
    simCpu: "X",
    simCpuTdp: 100,
    updateInterval: 0.05,
    stdout: () => {},
    env: { CARBONTRACKER_OFFLINE: "1" },
  });
  tracker.epochStart();
  await new Promise((done) => setTimeout(done, 300));
  const epoch = await tracker.epochEnd();
  await tracker.stop();
  // 100 W TDP at the simulated 50 %: 50 W over the epoch.
  assert.ok(epoch && Math.abs(epoch.energyJ - 50 * epoch.durationS) < 1e-6, JSON.stringify(epoch));
  assert.throws(
    () => new bundle.CarbonTracker({ epochs: 1, pue: -1 }),
    (error: unknown) => error instanceof bundle.InvalidOptionError && error.name === "InvalidOptionError",
  );
});

test("an uncaught error from the bundle shows the user a line of code, not the bundle", () => {
  // Node prints the source line an uncaught error was thrown from.
  const run = spawnSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { CarbonTracker } from ${JSON.stringify(pathToFileURL(resolve(entry)).href)};
new CarbonTracker({ epochs: 1, logDir: "" });`,
    ],
    { encoding: "utf8" },
  );
  assert.equal(run.status, 1);
  assert.match(run.stderr, /InvalidOptionError: logDir must be a non-empty string, got ""\./);
  const longest = Math.max(...run.stderr.split("\n").map((line) => line.length));
  assert.ok(longest < 200, `the longest line of the error output has ${longest} characters`);
});
