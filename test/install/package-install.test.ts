// What a newcomer does after reading README "Install": pack the package, install the tarball
// globally (a temporary prefix) and into a project of their own, run `carbontracker` from an
// unrelated folder and import the library there. npm resolves the dependencies from a loopback
// registry holding this repository's runtime tree (test/install/local-registry.ts), so this
// needs no network; it proves that `files` ships what runs: the sampler worker, the Python client,
// the embedded intensity data, and nothing of the dev tools.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, type ExecFileException } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { tempDir } from "../helpers/cli-process.js";
import { startLocalRegistry } from "./local-registry.js";

const exec = promisify(execFile);
const REPO = resolve(".");
const VERSION = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version;

/** Runs a command; resolves with its output and exit code instead of throwing. */
async function sh(
  file: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(file, args, { ...options, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as ExecFileException & { stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

test(
  "the packed tarball installs globally and into a project, and runs from any folder",
  { timeout: 240_000 },
  async (t) => {
    const root = tempDir("ct-install-");
    const home = join(root, "home");
    mkdirSync(home);
    // npm sees nothing of the user's: its own HOME, cache and config; no network but the loopback.
    const npmEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      npm_config_cache: join(root, "npm-cache"),
      npm_config_userconfig: join(home, ".npmrc"),
      npm_config_update_notifier: "false",
      npm_config_audit: "false",
      npm_config_fund: "false",
    };
    const packDir = join(root, "packed");
    mkdirSync(packDir);
    // dist/ is built by the test runner: pack it as `npm pack` would after its `prepare` build.
    const pack = await sh("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", packDir], {
      cwd: REPO,
      env: npmEnv,
    });
    assert.equal(pack.code, 0, pack.stderr);
    const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    assert.ok(packed);
    const tarball = join(packDir, packed.filename);
    const shipped = packed.files.map((f) => f.path);
    for (const needed of [
      "package.json",
      "README.md",
      "dist/src/cli/main.js",
      "dist/src/index.js",
      "dist/src/index.d.ts",
      "dist/src/threads/sampler-thread.js",
      "dist/bundle/sampler-thread.cjs",
      "dist/native/sample-recorder",
      "data/cpu-models/codecarbon-cpu_power.csv",
      "clients/python/carbontracker_ipc.py",
      "clients/python/carbontracker/tracker.py",
    ]) {
      assert.ok(shipped.includes(needed), `${needed} in the tarball`);
    }
    for (const path of shipped)
      assert.doesNotMatch(path, /^(test|src|bench|scripts)\/|__pycache__|\.ts$(?<!\.d\.ts)/);

    const registry = await startLocalRegistry(REPO, join(root, "registry"), npmEnv);
    t.after(() => registry.close());
    const withRegistry = { ...npmEnv, npm_config_registry: registry.url };

    // Globally, into a prefix of its own.
    const prefix = join(root, "prefix");
    const global = await sh("npm", ["install", "-g", "--prefix", prefix, tarball], {
      cwd: root,
      env: withRegistry,
    });
    assert.equal(global.code, 0, `${global.stdout}${global.stderr}`);
    const bin = join(prefix, "bin", "carbontracker");
    const elsewhere = tempDir("ct-elsewhere-");
    const runEnv = {
      PATH: `${join(prefix, "bin")}:${process.env.PATH}`,
      HOME: home,
      CARBONTRACKER_OFFLINE: "1",
    };
    const version = await sh("carbontracker", ["--version"], { cwd: elsewhere, env: runEnv });
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout.trim(), VERSION);
    assert.ok(existsSync(bin));
    // The sample recorder, built by `npm install` here, runs where it is installed.
    const recorder = join(
      prefix,
      "lib",
      "node_modules",
      "carbontracker",
      "dist",
      "native",
      "sample-recorder",
    );
    accessSync(recorder, constants.X_OK);

    // A wrapped Python program marking 2 epochs with the shipped client; the embedded DK figure.
    const script =
      "from carbontracker_ipc import epoch\nimport time\nfor _ in range(2):\n    with epoch():\n        time.sleep(0.2)\n";
    const wrapped = await sh(
      "carbontracker",
      ["--epochs", "2", "--sim-cpu", "X", "--sim-cpu-tdp", "10", "--country", "DK", "python3", "-c", script],
      { cwd: elsewhere, env: runEnv },
    );
    assert.equal(wrapped.code, 0, wrapped.stderr);
    assert.match(wrapped.stderr, /Actual consumption for 2 epoch\(s\):/);
    const average = /Average carbon intensity during training was (\d+\.\d\d) gCO2eq\/kWh/.exec(
      wrapped.stderr,
    );
    assert.ok(
      average && average[1] !== "445.00",
      `Denmark's embedded figure, not the world's: ${wrapped.stderr}`,
    );
    assert.ok(existsSync(join(elsewhere, "logs")), "logs in the folder it ran from");

    // Into a project: the library imports, its worker samples, its subpaths resolve; no dev tools.
    const project = join(root, "my-project");
    mkdirSync(project);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "my-project", private: true, type: "module" }),
    );
    const local = await sh("npm", ["install", tarball], { cwd: project, env: withRegistry });
    assert.equal(local.code, 0, `${local.stdout}${local.stderr}`);
    for (const devTool of ["typescript", "eslint", "tsx", "@tensorflow/tfjs", "pdfjs-dist"])
      assert.equal(existsSync(join(project, "node_modules", devTool)), false, `${devTool} not installed`);
    writeFileSync(
      join(project, "train.mjs"),
      `import { readFileSync } from "node:fs";
import { CarbonTracker } from "carbontracker";
const tracker = new CarbonTracker({
  epochs: 2, simCpu: "X", simCpuTdp: 100, updateInterval: 0.1, logDir: "./logs",
  env: { CARBONTRACKER_OFFLINE: "1" }, stdout: () => {},
});
for (let e = 0; e < 2; e++) {
  tracker.epochStart();
  await new Promise((r) => setTimeout(r, 200));
  await tracker.epochEnd();
}
const result = await tracker.stop();
// Every subpath the package exports imports.
const { exports } = JSON.parse(readFileSync("node_modules/carbontracker/package.json", "utf8"));
const subpaths = {};
for (const key of Object.keys(exports).filter((k) => !k.endsWith(".json")))
  subpaths[key] = Object.keys(await import("carbontracker" + key.slice(1))).length;
console.log(JSON.stringify({ epochs: result.epochs, energyKwh: result.energyKwh, subpaths }));
`,
    );
    const library = await sh(process.execPath, ["train.mjs"], { cwd: project, env: runEnv });
    assert.equal(library.code, 0, library.stderr);
    const result = JSON.parse(library.stdout) as {
      epochs: number;
      energyKwh: number;
      subpaths: Record<string, number>;
    };
    assert.equal(result.epochs, 2);
    // 50 W for about 0.4 s, times PUE 1.58: about 1e-5 kWh.
    assert.ok(result.energyKwh > 2e-6 && result.energyKwh < 1e-4, `${result.energyKwh} kWh`);
    assert.ok(result.subpaths["."]! > 0 && result.subpaths["./ipc"]! > 0, JSON.stringify(result.subpaths));
    for (const [subpath, names] of Object.entries(result.subpaths))
      assert.ok(names > 0, `${subpath} exports`);
    const npx = await sh("npx", ["--no-install", "carbontracker", "--version"], {
      cwd: project,
      env: withRegistry,
    });
    assert.equal(npx.stdout.trim(), VERSION, "the project's own bin");
  },
);
