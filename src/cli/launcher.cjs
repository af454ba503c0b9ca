#!/usr/bin/env node
// The CLI's entry (copied to dist/bundle/cli.cjs by scripts/bundle.mjs): compiles the bundled CLI
// (cli-main.cjs) with the V8 code cache made for it at build time, so a run starts without
// parsing and compiling it again. A cache that does not fit this Node (another version or
// flags) is rejected by V8, which then compiles the bundle as usual. CommonJS on purpose: Node's
// ES module loader costs several milliseconds more per run. CARBONTRACKER_CODE_CACHE_OUT (build
// only) names the file the cache of this run is written to, at exit.
"use strict";
const { readFileSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
const { Script } = require("node:vm");

const file = join(__dirname, "cli-main.cjs");
let cachedData;
try {
  cachedData = readFileSync(`${file}.cache`);
} catch {
  cachedData = undefined;
}
// The wrapper of Node's CommonJS loader, on the bundle's first line so its line numbers hold.
// latin1: the build leaves the bundle all ASCII, so no UTF-8 decoding is needed.
const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, "latin1")}\n})`;
const script = new Script(source, { filename: file, cachedData });
const cacheOut = process.env.CARBONTRACKER_CODE_CACHE_OUT;
if (cacheOut) process.once("exit", () => writeFileSync(cacheOut, script.createCachedData()));
const bundle = { exports: {} };
script.runInThisContext()(bundle.exports, require, bundle, file, __dirname);
