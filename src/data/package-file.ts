// Files shipped beside the code (data tables, the Python package) are found from the package's
// root: the folder holding carbontracker's package.json, upwards from this file, which sits at
// different depths in src/ (tests, tsx) and dist/src/ (the built package).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The fields of carbontracker's package.json the code reads. */
export interface PackageManifest {
  name: string;
  version?: string;
}

let found: { root: string; manifest: PackageManifest } | undefined;

/** carbontracker's package.json, found (and read) once; throws when the package is broken. */
function findPackage(): { root: string; manifest: PackageManifest } {
  if (found) return found;
  // import.meta.dirname: Node >= 20.11 (the CLI bundle defines it as __dirname).
  let dir = (import.meta.dirname as string | undefined) ?? dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) {
      const manifest = JSON.parse(readFileSync(candidate, "utf8")) as PackageManifest;
      if (manifest.name === "carbontracker") return (found = { root: dir, manifest });
    }
    dir = dirname(dir);
  }
  throw new Error(`carbontracker's package.json not found above ${fileURLToPath(import.meta.url)}`);
}

/** The package's package.json (parsed once); throws when the package is broken. */
export function packageManifest(): PackageManifest {
  return findPackage().manifest;
}

/** The absolute path of a file shipped in the package (`data/cpu-models/...`). */
export function packageFile(relative: string): string {
  return join(findPackage().root, relative);
}
