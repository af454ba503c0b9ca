#!/usr/bin/env node
// The CLI's entry (copied to dist/bundle/cli.cjs by scripts/bundle.mjs): compiles the bundled CLI
// (cli-main.cjs) with the V8 code cache made for it at build time, so a run starts without
// parsing and compiling it again; a subcommand's bundle (the Python bindings' engine among them)
// is compiled the same way when the CLI first needs it (runBundle, which the CLI's bundle finds
// on a global symbol). A cache that does not fit this Node (another version or flags) is rejected
// by V8, which then compiles the bundle as usual. CommonJS on purpose: Node's ES module loader
// costs several milliseconds more per run. CARBONTRACKER_CODE_CACHE_OUT (build only) names the
// folder where, at exit, this run writes the cache of every bundle it compiled.
"use strict";
const { readFileSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
const { Script } = require("node:vm");

/**
 * A bundle's text as this launcher compiles it: inside the wrapper of Node's CommonJS loader, on
 * its first line so its line numbers hold (the build makes the caches from the same text).
 * latin1: the build leaves the bundles all ASCII, so no UTF-8 decoding is needed.
 */
function wrappedSource(file) {
  return `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, "latin1")}\n})`;
}

const cacheOut = process.env.CARBONTRACKER_CODE_CACHE_OUT;
/** The bundles this run compiled, for the build's caches. */
const compiled = [];

/** Runs a bundle of this folder (`cli-main.cjs`), compiled with its code cache where there is one; returns its exports. */
function runBundle(name) {
  const file = join(__dirname, name);
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(wrappedSource(file), { filename: file, cachedData });
  if (cacheOut) compiled.push({ name, script });
  const bundle = { exports: {} };
  script.runInThisContext()(bundle.exports, require, bundle, file, __dirname);
  return bundle.exports;
}

module.exports = { wrappedSource };
// Run as the `carbontracker` command; the build and the tests only require it.
if (require.main === module) {
  if (cacheOut) {
    process.once("exit", () => {
      for (const { name, script } of compiled)
        writeFileSync(join(cacheOut, `${name}.cache`), script.createCachedData());
    });
  }
  globalThis[Symbol.for("carbontracker.runBundle")] = runBundle;
  runBundle("cli-main.cjs");
}
