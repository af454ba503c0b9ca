// The built CLI bundle: the launcher (src/cli/launcher.cjs) reads cli-main.cjs as latin1, which is
// right only for an all-ASCII file; the build writes every other character as \uXXXX. A character
// that slipped through would be garbled (a "™" in a regular expression would stop matching).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { Script } from "node:vm";
import { CLI } from "../helpers/cli-process.js";

test("the CLI bundle the launcher reads as latin1 is all ASCII, and its non-ASCII text survives as escapes", () => {
  const bundle = readFileSync(resolve(CLI, "..", "cli-main.cjs"), "latin1");
  const offending = /[\u0080-\u00ff]/.exec(bundle);
  assert.equal(
    offending,
    null,
    `non-ASCII at ${offending?.index}: ${bundle.slice((offending?.index ?? 0) - 40, (offending?.index ?? 0) + 40)}`,
  );
  // The CPU brand normaliser's trademark signs, written as escapes in the bundle.
  assert.match(bundle, /\\u00ae\\u2122\\u00a9/);
});

/**
 * Whether V8 takes `bundle`'s code cache (dist/bundle/<bundle>.cache) when `launcher` compiles it:
 * the text is the launcher's own (its wrappedSource), as the build made the cache from.
 */
function cacheAccepted(launcher: string, bundle: string): boolean {
  const { wrappedSource } = createRequire(import.meta.url)(resolve(CLI, "..", launcher)) as {
    wrappedSource: (file: string) => string;
  };
  const file = resolve(CLI, "..", bundle);
  const script = new Script(wrappedSource(file), {
    filename: file,
    cachedData: readFileSync(`${file}.cache`),
  });
  return !script.cachedDataRejected;
}

test("the sampler thread's launcher hands V8 a code cache this Node accepts", () => {
  // The thread starting from the launcher is exercised wherever the library or a GPU run tracks
  // (test/install/library-bundle.test.ts among them); here, that its cache is not thrown away.
  assert.equal(cacheAccepted("sampler-launcher.cjs", "sampler-thread.cjs"), true);
});

test("the CLI's launcher hands V8 code caches this Node accepts: the CLI's and the Python engine's", () => {
  // A rejected cache costs every run the compile it was made to save (the engine's start: 265 M
  // instructions without its cache, 183 M with it).
  for (const bundle of ["cli-main.cjs", "engine-command.cjs"]) {
    assert.equal(cacheAccepted("cli.cjs", bundle), true, bundle);
  }
});
