// The package version, from package.json (read once, with the package's root).
import { packageManifest } from "./data/package-file.js";

function findVersion(): string {
  try {
    return packageManifest().version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** This package's version. */
export const VERSION = findVersion();
