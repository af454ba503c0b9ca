// The sampler thread's entry (copied to dist/bundle/sampler-launcher.cjs by scripts/bundle.mjs):
// compiles the bundled sampler thread (sampler-thread.cjs) with the V8 code cache made for it at
// build time, as the CLI's launcher does for the CLI, so a thread does not parse its 150 kB
// again. A run that starts one (the library's, the CLI's on a GPU machine) took 7.8 ms less CPU
// (median of 15 on the build VM) and 13 M fewer instructions (callgrind, a GPU run of `true` on
// the fake NVML: 360 -> 347 M). A cache that does not fit this Node (another version or flags)
// is rejected by V8, which then compiles the bundle as usual. CommonJS, like the bundle.
"use strict";
const { existsSync, readFileSync } = require("node:fs");
const { join } = require("node:path");
const { Script } = require("node:vm");

/**
 * The bundle's text as this launcher compiles it: inside the wrapper of Node's CommonJS loader,
 * on its first line so line numbers hold (the build makes the cache from the same text).
 * latin1: the build leaves the bundle all ASCII.
 */
function wrappedSource(file) {
  return `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, "latin1")}\n})`;
}

function runSamplerThread() {
  const file = join(__dirname, "sampler-thread.cjs");
  // Without its cache (a build that could not write it) the bundle is compiled as usual.
  const cache = `${file}.cache`;
  const cachedData = existsSync(cache) ? readFileSync(cache) : undefined;
  const bundle = { exports: {} };
  new Script(wrappedSource(file), { filename: file, cachedData }).runInThisContext()(
    bundle.exports,
    require,
    bundle,
    file,
    __dirname,
  );
}

module.exports = { wrappedSource };
// The worker runs this file as its main module; the build and the tests only require it.
if (require.main === module) runSamplerThread();
