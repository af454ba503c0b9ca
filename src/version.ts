// The package version, read once from package.json.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "./data/package-file.js";

function findVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** This package's version. */
export const VERSION = findVersion();
