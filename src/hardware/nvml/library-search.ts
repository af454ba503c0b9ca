// Whether the dynamic loader could find a shared library, checked without loading it: on a
// machine without the NVIDIA driver, loading the FFI package (koffi: a native addon of several
// megabytes) only to fail costs every run start-up time and memory. The check is ld.so's search
// order, answered "may load" whenever it cannot be sure, so it never hides a loadable library.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The loader's cache of sonames (ldconfig). */
const LOADER_CACHE = "/etc/ld.so.cache";

/** Folders ld.so searches after its cache (the trusted ones, multiarch included). */
const SYSTEM_DIRS = [
  "/lib",
  "/usr/lib",
  "/lib64",
  "/usr/lib64",
  "/lib/x86_64-linux-gnu",
  "/usr/lib/x86_64-linux-gnu",
  "/lib/aarch64-linux-gnu",
  "/usr/lib/aarch64-linux-gnu",
];

/** What the check reads: the environment, the platform and the files (real ones by default). */
export interface LibrarySearchWorld {
  env: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  exists?: (path: string) => boolean;
  /** The loader cache's bytes, or undefined when it cannot be read. */
  loaderCache?: () => Buffer | undefined;
}

function readLoaderCache(): Buffer | undefined {
  try {
    return readFileSync(LOADER_CACHE);
  } catch {
    return undefined;
  }
}

const answers = new Map<string, boolean>();

/**
 * False only when `library` certainly cannot be loaded on Linux: a path that does not exist, or
 * a bare soname in none of LD_LIBRARY_PATH, the loader cache and the system folders. True
 * otherwise (other systems, an unreadable loader cache).
 */
export function sharedLibraryMayLoad(library: string, world: LibrarySearchWorld): boolean {
  const { env, platform = process.platform, exists = existsSync, loaderCache = readLoaderCache } = world;
  // The real world's answer for a soname is kept (the loader cache is read once): the CLI asks
  // before choosing its sampler, and NVML asks again.
  const real = world.exists === undefined && world.loaderCache === undefined && !library.includes("/");
  const key = `${platform}\0${library}\0${env.LD_LIBRARY_PATH ?? ""}`;
  if (real && answers.has(key)) return answers.get(key) as boolean;
  const answer = search(library, env, platform, exists, loaderCache);
  if (real) answers.set(key, answer);
  return answer;
}

function search(
  library: string,
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform,
  exists: (path: string) => boolean,
  loaderCache: () => Buffer | undefined,
): boolean {
  if (platform !== "linux") return true;
  if (library.includes("/")) return exists(library);
  const fromEnv = (env.LD_LIBRARY_PATH ?? "").split(":").filter(Boolean);
  if ([...fromEnv, ...SYSTEM_DIRS].some((dir) => exists(join(dir, library)))) return true;
  const cache = loaderCache();
  return cache === undefined || cache.includes(library);
}
