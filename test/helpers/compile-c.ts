// Test and bench programs written in C (the fake NVML library, the bench's rusage runner), built
// with the system compiler once per source version and cached in the temp folder.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Compiles `source` with `cc` (plus `flags`) into `<tmp>/<name>-<hash>/<output>`, once; its path. */
export function compiledC(source: string, name: string, output: string, flags: string[] = []): string {
  const hash = createHash("sha256").update(readFileSync(source)).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), `${name}-${hash}`);
  const built = join(dir, output);
  if (!existsSync(built)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${built}.${process.pid}.tmp`;
    execFileSync("cc", [...flags, "-O2", "-o", partial, source], { stdio: "pipe" });
    renameSync(partial, built);
  }
  return built;
}
