// Files shipped beside the code (data tables, the Python package) are found from the package's
// root: the folder holding carbontracker's package.json, upwards from this file, which sits at
// different depths in src/ (tests, tsx) and dist/src/ (the built package).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/** The package's root folder; throws when the package is broken (no package.json above). */
export function packageRoot(): string {
  if (root) return root;
  // import.meta.dirname: Node >= 20.11 (the CLI bundle defines it as __dirname).
  let dir = (import.meta.dirname as string | undefined) ?? dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, "utf8")) as { name?: string };
      if (pkg.name === "carbontracker") return (root = dir);
    }
    dir = dirname(dir);
  }
  throw new Error(`carbontracker's package.json not found above ${fileURLToPath(import.meta.url)}`);
}

/** The absolute path of a file shipped in the package (`data/cpu-models/...`). */
export function packageFile(relative: string): string {
  return join(packageRoot(), relative);
}
