// Bundles the CLI into dist/bundle (run by `npm run build` after tsc), for a start-up close to
// bare Node's:
// - one CommonJS bundle (cli-main.cjs) instead of a hundred ES modules resolved one by one;
// - a V8 code cache for it (cli-main.cjs.cache), made by two offline runs of the built CLI (RAPL,
//   then the CPU estimate), which the entry (cli.cjs, src/cli/launcher.cjs) hands to V8 so the
//   bundle is not parsed again;
// - the subcommands (agent, plan, doctor, dashboard, engine, --parse, --report) in bundles of their own, compiled
//   by the launcher when run (with a code cache where the build made one: the Python bindings'
//   engine, which every Python tracker starts); they use the CLI's error classes, handed over on a
//   global symbol (a shared file would cost every run a module resolution), so `instanceof` holds
//   across bundles;
// - packages required when first used, never at start-up: koffi (NVML), pdfkit (report),
//   prom-client (agent);
// - the package version written in (src/version.ts finds package.json at run time otherwise).
// The sampler thread is a CommonJS bundle too (sampler-thread.cjs), also started by the library,
// through a launcher that hands V8 its code cache (sampler-launcher.cjs, sampler-thread.cjs.cache).
// The library (package.json's "." export) is one ES module, library.mjs: importing it takes about
// a third of the time tsc's hundred modules take (dist/src, which keeps the types and `./ipc`).
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { Script } from "node:vm";
import { build } from "esbuild";

const OUT = "dist/bundle";
const SUBCOMMANDS = {
  "agent-command": "src/cli/agent-command.ts",
  "plan-command": "src/cli/plan-command.ts",
  "doctor-command": "src/cli/doctor-command.ts",
  "parse-command": "src/reports/parse-command.ts",
  "run-report-command": "src/cli/run-report-command.ts",
  "dashboard-command": "src/cli/dashboard-command.ts",
  "engine-command": "src/cli/engine-command.ts",
};
const SUBCOMMAND_IMPORT = new RegExp(`/(${Object.keys(SUBCOMMANDS).join("|")})\\.js$`);
const ERRORS_IMPORT = /\/errors\/index\.js$/;
const ERRORS_SOURCE = resolve("src/errors/index.ts");
/** Where the CLI bundle leaves its error classes for the subcommand bundles. */
const ERRORS_GLOBAL = 'globalThis[Symbol.for("carbontracker.errors")]';
/** Packages required at first use (from a dynamic import or the module that needs them). */
const LAZY_PACKAGES = /^(koffi|pdfkit|prom-client)$/;

/**
 * Resolves the subcommands and lazy packages to a tiny CommonJS module that requires them, so the
 * bundle holds no import() (which a vm.Script could only run through an experimental loader)
 * and loads them only when the code needing them first runs. `errors`: "share" has the error
 * module leave its classes on ERRORS_GLOBAL (the CLI), "take" reads them there (subcommands).
 */
const links = (errors) => ({
  name: "bundle-links",
  setup(builder) {
    const lazy = (path) => ({ path, namespace: "lazy-require" });
    builder.onResolve({ filter: SUBCOMMAND_IMPORT }, (args) =>
      args.kind === "dynamic-import"
        ? { path: `./${basename(args.path, ".js")}.cjs`, namespace: "bundle-link" }
        : undefined,
    );
    builder.onResolve({ filter: /.*/, namespace: "bundle-link" }, (args) => ({
      path: args.path,
      external: true,
    }));
    // A subcommand's bundle, through the launcher's runBundle (its code cache), or else required.
    builder.onLoad({ filter: /.*/, namespace: "bundle-link" }, (args) => ({
      contents: `const run = globalThis[Symbol.for("carbontracker.runBundle")]; module.exports = run ? run(${JSON.stringify(basename(args.path))}) : require(${JSON.stringify(args.path)});`,
      loader: "js",
    }));
    builder.onResolve({ filter: LAZY_PACKAGES }, (args) =>
      args.namespace === "lazy-require" ? undefined : lazy(args.path),
    );
    builder.onResolve({ filter: /.*/, namespace: "lazy-require" }, (args) => ({
      path: args.path,
      external: true,
    }));
    builder.onLoad({ filter: /.*/, namespace: "lazy-require" }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: "js",
    }));
    builder.onResolve({ filter: ERRORS_IMPORT }, (args) =>
      args.namespace === "errors" ? undefined : { path: "errors", namespace: "errors" },
    );
    builder.onLoad({ filter: /.*/, namespace: "errors" }, () => ({
      contents:
        errors === "share"
          ? `import * as all from ${JSON.stringify(ERRORS_SOURCE)}; export * from ${JSON.stringify(ERRORS_SOURCE)}; ${ERRORS_GLOBAL} = all;`
          : `module.exports = ${ERRORS_GLOBAL};`,
      loader: "js",
      resolveDir: process.cwd(),
    }));
  },
});

/** src/version.ts as the version it would find: package.json's. */
const bakedVersion = {
  name: "baked-version",
  setup(builder) {
    const { version } = JSON.parse(readFileSync("package.json", "utf8"));
    builder.onLoad({ filter: /[\\/]src[\\/]version\.ts$/ }, () => ({
      contents: `export const VERSION = ${JSON.stringify(version)};`,
      loader: "ts",
    }));
  },
};

const common = {
  outdir: OUT,
  bundle: true,
  platform: "node",
  target: "node20",
  sourcemap: true,
  minifyWhitespace: false,
  logLevel: "warning",
};
const commonJs = {
  ...common,
  format: "cjs",
  outExtension: { ".js": ".cjs" },
  // import.meta.url, worked out only where it is read (most runs never do).
  define: { "import.meta.url": "__carbontrackerModule.url", "import.meta.dirname": "__dirname" },
  banner: {
    js: "var __carbontrackerModule = { get url() { return require('node:url').pathToFileURL(__filename).href; } };",
  },
};

rmSync(OUT, { recursive: true, force: true });
await build({
  ...commonJs,
  entryPoints: { "cli-main": "src/cli/main.ts" },
  plugins: [links("share"), bakedVersion],
});
await build({ ...commonJs, entryPoints: SUBCOMMANDS, plugins: [links("take"), bakedVersion] });
// CommonJS like the CLI: an ES module worker would start Node's ES module loader, whose async
// file reads start libuv's four pool threads (about 1 MB and four thread starts).
await build({
  ...commonJs,
  entryPoints: { "sampler-thread": "src/threads/sampler-thread.ts" },
  plugins: [links("share"), bakedVersion],
});
// ES modules like its users', so `import.meta` is the bundle's own; the packages it may load
// (koffi, pdfkit) stay where npm put them.
await build({
  ...common,
  format: "esm",
  outExtension: { ".js": ".mjs" },
  entryPoints: { library: "src/index.ts" },
  packages: "external",
  // One statement a line: Node prints the line an uncaught error was thrown from, and a user's
  // bad option must not print the whole bundle.
  minifyWhitespace: false,
  plugins: [bakedVersion],
});
for (const name of ["cli-main", "sampler-thread", ...Object.keys(SUBCOMMANDS)]) {
  const file = join(OUT, `${name}.cjs`);
  const text = readFileSync(file, "utf8");
  if (/\bimport\(/.test(text)) {
    throw new Error(`${file} calls import(): send that import through the bundle-links plugin.`);
  }
  // main.ts's hashbang, kept by esbuild, as a comment: the launcher wraps the text in a function.
  // Any non-ASCII character (esbuild leaves some in comments and regular expressions) written as
  // \uXXXX: an all-ASCII file is read as latin1 into a one-byte string, without UTF-8 decoding,
  // and V8 scans one-byte source faster.
  const ascii = (text.startsWith("#!") ? `//${text.slice(2)}` : text).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  if (ascii !== text) writeFileSync(file, ascii);
}
copyFileSync("src/cli/launcher.cjs", join(OUT, "cli.cjs"));
chmodSync(join(OUT, "cli.cjs"), 0o755);
// The sampler thread's launcher and code cache. The cache is the compiled bundle (not warmed up:
// a run starting a sampler thread needs a GPU or the library), made from the text exactly as the
// launcher will compile it.
copyFileSync("src/threads/sampler-launcher.cjs", join(OUT, "sampler-launcher.cjs"));
const samplerThread = resolve(OUT, "sampler-thread.cjs");
const { wrappedSource } = createRequire(import.meta.url)("../src/threads/sampler-launcher.cjs");
writeFileSync(
  `${samplerThread}.cache`,
  new Script(wrappedSource(samplerThread), { filename: samplerThread }).createCachedData(),
);

/**
 * A small powercap tree like a one-socket Intel machine's (a package zone with its core and
 * uncore sub-zones and power constraints): the first warm-up run reads RAPL through it, so the
 * RAPL code is in the cache too.
 */
function writeWarmUpPowercap(root) {
  const zones = {
    "intel-rapl:0": { name: "package-0", constraint_0_power_limit_uw: "65000000" },
    "intel-rapl:0:0": { name: "core" },
    "intel-rapl:0:1": { name: "uncore" },
  };
  for (const [zone, files] of Object.entries(zones)) {
    mkdirSync(join(root, zone), { recursive: true });
    const all = { ...files, energy_uj: "1000000", max_energy_range_uj: "262143328850" };
    for (const [file, text] of Object.entries(all)) writeFileSync(join(root, zone, file), `${text}\n`);
  }
  return root;
}

// The code caches: offline runs of the built CLI in temp folders, each writing the cache of every
// bundle it compiled (V8 writes every function compiled so far, the cached ones included). The
// CLI wraps `true` twice: first reading RAPL, then, without a powercap tree, taking the CPU
// estimate (the path of most machines without root), started from the first's cache, so the
// cache it leaves holds the code of both. The Python bindings' engine (engine-command.cjs) then
// tracks one epoch the same two ways, driven over stdin as the bindings drive it.
const scratch = mkdtempSync(join(tmpdir(), "carbontracker-build-"));
const warmUpPowercap = writeWarmUpPowercap(join(scratch, "powercap"));
const engineSession = [
  { event: "configure", options: { epochs: 1, logDir: join(scratch, "logs") } },
  { event: "epoch_start" },
  { event: "epoch_end" },
  { event: "stop" },
]
  .map((message) => `${JSON.stringify(message)}\n`)
  .join("");
const warmUps = [
  { args: ["--log_dir", join(scratch, "logs"), "true"] },
  { args: ["engine"], input: engineSession },
];
for (const { args, input } of warmUps) {
  for (const powercap of [warmUpPowercap, join(scratch, "no-powercap")]) {
    const warmUp = spawnSync(process.execPath, [join(OUT, "cli.cjs"), ...args], {
      input,
      stdio: [input === undefined ? "ignore" : "pipe", "ignore", "ignore"],
      env: {
        PATH: process.env.PATH,
        HOME: scratch,
        CARBONTRACKER_OFFLINE: "1",
        CARBONTRACKER_CACHE_DIR: join(scratch, "cache"),
        CARBONTRACKER_POWERCAP_ROOT: powercap,
        CARBONTRACKER_CODE_CACHE_OUT: OUT,
      },
    });
    if (warmUp.status !== 0) {
      console.warn(
        `bundle: a warm-up run (${args[0]}) exited ${warmUp.status ?? warmUp.signal}; the code caches may lack some of its code.`,
      );
    }
  }
}
rmSync(scratch, { recursive: true, force: true });
