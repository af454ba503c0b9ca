// The package version, read once from package.json (found upwards from this file, which sits
// at different depths in src/ and dist/src/).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "carbontracker" && pkg.version) return pkg.version;
    }
    dir = dirname(dir);
  }
  return "unknown";
}

/** This package's version. */
export const VERSION = findVersion();
