// The world the start-up and steady benches run the CLI in: offline, a temp cache and home, and a
// fake RAPL tree at 100 W driven by another process, a fake NVML library or neither.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  singlePackageLayout,
  spawnFakePowercap,
  type FakePowercapProcess,
} from "../../test/helpers/fake-powercap.js";

/** The built CLI. */
export const CLI = resolve("dist/bundle/cli.cjs");
/** The built library entry: the package's "." export, as its users import it. */
export const LIBRARY = resolve("dist/bundle/library.mjs");

/** Temp folders made by this bench process, removed when it exits. */
const made: string[] = [];
process.once("exit", () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp folder (removed when the bench process exits). */
export function benchDir(prefix = "ct-bench-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Environment of a measured run: only PATH from this one, offline, temp cache and home. */
export function benchEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: benchDir("ct-bench-home-"),
    CARBONTRACKER_OFFLINE: "1",
    CARBONTRACKER_CACHE_DIR: benchDir("ct-bench-cache-"),
    ...extra,
  };
}

/** A single Intel package at a constant 100 W, driven from another process, its counters rewritten in place as sysfs's are. */
export function fakeRapl100W(tickMs = 100): Promise<FakePowercapProcess> {
  return spawnFakePowercap(singlePackageLayout({ kind: "constant", watts: 100 }), { tickMs, inPlace: true });
}
