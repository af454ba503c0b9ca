// A small fake machine for doctor tests: /proc, the system root (/etc, /.dockerenv), a static
// powercap tree and the environment that points every seam at them, plus ways to run doctor
// in-process or as an unprivileged user (setpriv) and capture what it prints.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runDoctorCommand, type DoctorSeams } from "../../src/cli/doctor-command.js";

/** How the RAPL tree looks. */
export type RaplState = "readable" | "root-only" | "missing";

/** A fake machine in a temp folder. */
export interface FakeMachine {
  dir: string;
  /** The folder standing for `/` (etc/, .dockerenv, sys/class/powercap). */
  root: string;
  powercap: string;
  env: Record<string, string | undefined>;
  cleanup(): void;
}

/** Options of the fake machine. */
export interface FakeMachineOptions {
  rapl?: RaplState;
  container?: boolean;
  /** Extra environment (wins over the defaults). */
  env?: Record<string, string | undefined>;
}

/** The counter value every fake zone shows (µJ). */
export const ENERGY_UJ = 65_997_277_274;

function write(path: string, text: string, mode = 0o644): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
}

/** Writes one powercap zone (name, energy_uj with `mode`, max_energy_range_uj). */
export function writeZone(powercap: string, id: string, name: string, mode: number): void {
  write(join(powercap, id, "name"), `${name}\n`, 0o444);
  write(join(powercap, id, "energy_uj"), `${ENERGY_UJ}\n`, mode);
  write(join(powercap, id, "max_energy_range_uj"), "262143328850\n", 0o444);
}

/** Builds the fake machine; every folder is world-readable so setpriv children can see it. */
export function fakeMachine(options: FakeMachineOptions = {}): FakeMachine {
  const dir = mkdtempSync(join(tmpdir(), "carbontracker-doctor-"));
  chmodSync(dir, 0o755);
  const root = join(dir, "root");
  const proc = join(dir, "proc");
  write(join(proc, "version"), "Linux version 6.8.0-45-generic (buildd@lcy02-amd64-115) #45-Ubuntu SMP\n");
  write(
    join(proc, "stat"),
    "cpu  100 0 50 1000 0 0 0 0 0 0\ncpu0 50 0 25 500 0 0 0 0 0 0\ncpu1 50 0 25 500 0 0 0 0 0 0\n",
  );
  write(join(proc, "cpuinfo"), "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz\n");
  write(join(proc, "1", "cgroup"), options.container ? "0::/docker/3f2a9c1e7b\n" : "0::/init.scope\n");
  write(join(root, "etc", "group"), "root:x:0:\nnogroup:x:65534:\n");
  write(
    join(root, "etc", "passwd"),
    "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n",
  );
  if (options.container) write(join(root, ".dockerenv"), "");
  const powercap = join(root, "sys", "class", "powercap");
  const rapl = options.rapl ?? "readable";
  if (rapl !== "missing") {
    const mode = rapl === "readable" ? 0o444 : 0o400;
    writeZone(powercap, "intel-rapl:0", "package-0", mode);
    writeZone(powercap, "intel-rapl:0:0", "dram", mode);
  }
  mkdirSync(join(dir, "drm"), { recursive: true });
  mkdirSync(join(dir, "cache"), { recursive: true });
  chmodSync(join(dir, "cache"), 0o777);
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: dir,
    USER: "nobody",
    CARBONTRACKER_POWERCAP_ROOT: powercap,
    CARBONTRACKER_PROC_ROOT: proc,
    CARBONTRACKER_DRM_ROOT: join(dir, "drm"),
    CARBONTRACKER_NVML_LIBRARY: join(dir, "no-driver", "libnvidia-ml.so.1"),
    CARBONTRACKER_SYSTEM_ROOT: root,
    CARBONTRACKER_CACHE_DIR: join(dir, "cache"),
    CARBONTRACKER_OFFLINE: "1",
    ...options.env,
  };
  return { dir, root, powercap, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What a doctor run printed and answered. */
export interface DoctorRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `carbontracker doctor <argv>` in this process. */
export async function doctor(
  argv: string[],
  env: Record<string, string | undefined>,
  seams: DoctorSeams = {},
): Promise<DoctorRun> {
  let stdout = "";
  let stderr = "";
  const io = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  };
  const code = await runDoctorCommand(argv, io, env, seams);
  return { code, stdout, stderr };
}

/** setpriv, where this machine has it. */
export const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => existsSync(p));

/** Why the unprivileged-user tests cannot run here, or false when they can. */
export const cannotDropPrivileges: string | false =
  process.getuid?.() !== 0
    ? "needs root to become an unprivileged user"
    : SETPRIV === undefined
      ? "needs setpriv to become an unprivileged user"
      : false;

const AS_USER_SCRIPT = fileURLToPath(new URL("./doctor-as-user.ts", import.meta.url));

/** Runs doctor as uid/gid 65534 with no groups (setpriv), in a child process. */
export function doctorAsNobody(argv: string[], env: Record<string, string | undefined>): Promise<DoctorRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      SETPRIV as string,
      [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        process.execPath,
        "--import",
        "tsx",
        AS_USER_SCRIPT,
        ...argv,
      ],
      {
        env: { ...env, PATH: env.PATH ?? process.env.PATH } as NodeJS.ProcessEnv,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
