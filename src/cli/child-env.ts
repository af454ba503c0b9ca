// The wrapped program's environment: ours plus the epoch socket and the Python client on
// PYTHONPATH, so `from carbontracker_ipc import epoch` works in any wrapped script.
import { existsSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { IPC_ENV } from "../ipc/protocol.js";

/** The shipped clients/python folder (found upwards from this file: src/cli or dist/src/cli). */
export function pythonClientDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, "clients", "python");
    if (existsSync(join(candidate, "carbontracker_ipc.py"))) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

/** `env` with CARBONTRACKER_IPC set to `socketPath` and the Python client prepended to PYTHONPATH. */
export function childEnv(env: NodeJS.ProcessEnv, socketPath: string): NodeJS.ProcessEnv {
  const python = pythonClientDir();
  const pythonPath = python ? [python, env.PYTHONPATH].filter(Boolean).join(delimiter) : env.PYTHONPATH;
  return { ...env, [IPC_ENV]: socketPath, ...(pythonPath ? { PYTHONPATH: pythonPath } : {}) };
}
