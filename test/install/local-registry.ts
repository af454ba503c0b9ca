// An npm registry on the loopback interface holding exactly the runtime dependency tree of this
// repository's lock file, packed from its node_modules: `npm install <our tarball>` then resolves
// every dependency as from registry.npmjs.org, without a network or the user's npm cache.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A lock file entry (package-lock.json v3 `packages`). */
interface LockEntry {
  version?: string;
  dev?: boolean;
  devOptional?: boolean;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, unknown>;
  os?: string[];
  cpu?: string[];
  engines?: Record<string, string>;
  bin?: Record<string, string>;
  hasInstallScript?: boolean;
}

/** What `npm pack --json` says of one tarball. */
interface Packed {
  name: string;
  version: string;
  filename: string;
  integrity: string;
}

/** A running registry: its URL and how to stop it. */
export interface LocalRegistry {
  url: string;
  /** Packages it serves, `name@version`. */
  packages: string[];
  close(): Promise<void>;
}

const nameOf = (path: string) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);

/**
 * Packs the runtime (not dev) packages of `repo`'s lock file that its node_modules holds into
 * `dir` and serves them, with packuments for every runtime package of the lock (platform
 * packages this machine lacks are listed, so npm can skip them, but have no tarball).
 */
export async function startLocalRegistry(
  repo: string,
  dir: string,
  npmEnv: NodeJS.ProcessEnv,
): Promise<LocalRegistry> {
  const lock = JSON.parse(readFileSync(join(repo, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  const runtime = Object.entries(lock.packages).filter(
    ([path, entry]) => path !== "" && !entry.dev && !entry.devOptional && !entry.link,
  );
  const present = runtime.filter(([path]) => existsSync(join(repo, path)));
  mkdirSync(dir, { recursive: true });
  const { stdout } = await run(
    "npm",
    ["pack", "--ignore-scripts", "--json", "--pack-destination", dir, ...present.map(([p]) => `./${p}`)],
    { cwd: repo, env: npmEnv, maxBuffer: 64 * 1024 * 1024 },
  );
  const packed = new Map((JSON.parse(stdout) as Packed[]).map((p) => [`${p.name}@${p.version}`, p]));

  let url = "";
  const packuments = new Map<string, { name: string; versions: Record<string, unknown> }>();
  for (const [path, entry] of runtime) {
    const name = nameOf(path);
    const version = entry.version as string;
    const tarball = packed.get(`${name}@${version}`);
    const doc = packuments.get(name) ?? { name, versions: {} };
    doc.versions[version] = {
      name,
      version,
      dependencies: entry.dependencies,
      optionalDependencies: entry.optionalDependencies,
      peerDependencies: entry.peerDependencies,
      peerDependenciesMeta: entry.peerDependenciesMeta,
      os: entry.os,
      cpu: entry.cpu,
      engines: entry.engines,
      bin: entry.bin,
      hasInstallScript: entry.hasInstallScript,
      dist: tarball
        ? { tarball: `@@URL@@/-/files/${tarball.filename}`, integrity: tarball.integrity }
        : { tarball: `@@URL@@/-/files/missing-${name.replace("/", "-")}-${version}.tgz` },
    };
    packuments.set(name, doc);
  }

  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname).slice(1);
    if (path.startsWith("-/files/") && !path.includes("..")) {
      const file = join(dir, path.slice("-/files/".length));
      if (existsSync(file)) {
        response.writeHead(200, { "content-type": "application/octet-stream" });
        response.end(readFileSync(file));
        return;
      }
    }
    const doc = packuments.get(path);
    if (!doc) {
      response.writeHead(404, { "content-type": "application/json" });
      response.end('{"error":"Not found"}');
      return;
    }
    const versions = Object.keys(doc.versions);
    const body = JSON.stringify({ ...doc, "dist-tags": { latest: versions.at(-1) } }).replaceAll(
      "@@URL@@",
      url,
    );
    response.writeHead(200, { "content-type": "application/json" });
    response.end(body);
  });
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    packages: [...packed.keys()],
    close: () => new Promise((resolveClose) => server.close(() => resolveClose())),
  };
}
