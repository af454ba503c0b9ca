// Runs every test/**/*.test.ts with node's own test runner (through tsx), because node 20's
// --test does not expand globs itself. Pass file paths or substrings to run a subset.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (entry === "fixtures" || entry === "node_modules") continue;
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (entry.endsWith(".test.ts")) found.push(path);
  }
  return found;
}

const filters = process.argv.slice(2);
const files = findTests("test")
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error("No test files matched.");
  process.exit(1);
}
// The library's sampler worker runs from dist/ even under tsx (see worker-sampler.ts) and the CLI
// tests run the bundle and the sample recorder: build them first.
const build = spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);
const bundle = spawnSync(process.execPath, ["scripts/bundle.mjs"], { stdio: "inherit" });
if (bundle.status !== 0) process.exit(bundle.status ?? 1);
const native = spawnSync(process.execPath, ["scripts/build-native.mjs"], { stdio: "inherit" });
if (native.status !== 0) process.exit(native.status ?? 1);
// Tests never reach beyond this machine: offline by default, and every service a test does not
// point at its own loopback server goes to a closed loopback port instead of the real one.
const CLOSED = "http://127.0.0.1:9";
// Nor do they read or write the host's state: the run gets its own HOME, XDG folders,
// carbontracker cache (a location cached by an earlier real run would change results) and
// TMPDIR (every temp folder a test or a process it starts makes is removed with the run, even
// when a test fails or a tracker is killed before its own clean-up), and no carbontracker
// setting of the developer's shell reaches a test.
const root = mkdtempSync(join(tmpdir(), "ct-test-run-"));
const home = join(root, "home");
const inherited = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) => !name.startsWith("CARBONTRACKER_") && name !== "ELECTRICITYMAPS_API_KEY",
  ),
);
const env = {
  ...inherited,
  CARBONTRACKER_OFFLINE: "1",
  CARBONTRACKER_GEOLOCATION_URL: CLOSED,
  CARBONTRACKER_ELECTRICITYMAPS_URL: CLOSED,
  CARBONTRACKER_CARBONINTENSITY_UK_URL: CLOSED,
  CARBONTRACKER_ENERGIDATASERVICE_URL: CLOSED,
  CARBONTRACKER_AWS_METADATA_URL: CLOSED,
  CARBONTRACKER_AZURE_METADATA_URL: CLOSED,
  CARBONTRACKER_GCP_METADATA_URL: CLOSED,
  HOME: home,
  XDG_CACHE_HOME: join(home, ".cache"),
  XDG_CONFIG_HOME: join(home, ".config"),
  XDG_DATA_HOME: join(home, ".local", "share"),
  XDG_STATE_HOME: join(home, ".local", "state"),
  CARBONTRACKER_CACHE_DIR: join(root, "carbontracker-cache"),
  TMPDIR: join(root, "tmp"),
};
for (const name of [
  "TMPDIR",
  "XDG_CACHE_HOME",
  "XDG_CONFIG_HOME",
  "XDG_DATA_HOME",
  "XDG_STATE_HOME",
  "CARBONTRACKER_CACHE_DIR",
])
  mkdirSync(env[name], { recursive: true });
// Tests that run a process as an unprivileged user (setpriv) need its temp folders: the run's
// folder may be passed through (not listed), and its TMPDIR is shared like /tmp.
chmodSync(root, 0o711);
chmodSync(env.TMPDIR, 0o1777);
// Ctrl-C reaches the test runner, which stops; this process waits for it and still cleans up.
process.on("SIGINT", () => {});
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-reporter=spec", "--test-concurrency=2", ...files],
  { stdio: "inherit", env },
);
rmSync(root, { recursive: true, force: true });
process.exit(result.status ?? 1);
