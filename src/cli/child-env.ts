// The wrapped program's environment: ours plus the epoch socket, the Python bindings on
// PYTHONPATH (so `import carbontracker` and `from carbontracker_ipc import epoch` work in any
// wrapped script) and this CLI as their engine (so they never need `carbontracker` on PATH).
import { existsSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { IPC_ENV } from "../ipc/protocol.js";

/** Environment variable naming the engine: the `carbontracker` executable or its main.js. */
const ENGINE_ENV = "CARBONTRACKER_ENGINE";
/** Environment variable naming the node that runs an engine given as a .js file. */
const NODE_ENV = "CARBONTRACKER_NODE";

/**
 * This file's folder. import.meta.dirname (Node >= 20.11; the bundle defines it as __dirname)
 * spares start-up the URL conversions.
 */
function here(): string {
  return (import.meta.dirname as string | undefined) ?? dirname(fileURLToPath(import.meta.url));
}

/** The shipped clients/python folder (found upwards from this file: src/cli or dist/src/cli). */
export function pythonClientDir(): string | undefined {
  let dir = here();
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, "clients", "python");
    if (existsSync(join(candidate, "carbontracker", "__init__.py"))) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

/** This CLI's entry point (the bundle dist/bundle/cli.cjs, else dist/src/cli/main.js), when it exists. */
function cliEntry(): string | undefined {
  const dir = here();
  // The bundle starts fastest; tsc's output where there is none (tests running the sources).
  return [
    join(dir, "cli.cjs"),
    join(dir, "..", "..", "bundle", "cli.cjs"),
    join(dir, "main.js"),
    join(dir, "..", "src", "cli", "main.js"),
  ].find((path) => existsSync(path));
}

/**
 * `env` with CARBONTRACKER_IPC set to `socketPath`, the Python package prepended to PYTHONPATH,
 * and this CLI as the bindings' engine (unless the user named another in CARBONTRACKER_ENGINE).
 */
export function childEnv(env: NodeJS.ProcessEnv, socketPath: string): NodeJS.ProcessEnv {
  const python = pythonClientDir();
  const pythonPath = python ? [python, env.PYTHONPATH].filter(Boolean).join(delimiter) : env.PYTHONPATH;
  const entry = cliEntry();
  const engine = env[ENGINE_ENV] || !entry ? {} : { [ENGINE_ENV]: entry, [NODE_ENV]: process.execPath };
  return { ...env, [IPC_ENV]: socketPath, ...engine, ...(pythonPath ? { PYTHONPATH: pythonPath } : {}) };
}
