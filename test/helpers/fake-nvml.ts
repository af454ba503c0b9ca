// The fake libnvidia-ml.so.1 for tests and benchmarks: compiled from test/fixtures/nvml/fake-nvml.c
// with the system C compiler (cached by source hash), driven by a config file the test rewrites.
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compiledC } from "./compile-c.js";

const SOURCE = fileURLToPath(new URL("../fixtures/nvml/fake-nvml.c", import.meta.url));

/** One fake GPU; omitted numbers default to a working Volta-or-newer board. */
export interface FakeGpu {
  name: string;
  uuid: string;
  /** Counter value (mJ); large values exercise koffi's BigInt path. */
  energyMj?: bigint | number;
  /** nvmlReturn_t for the energy call (3 = NOT_SUPPORTED, 15 = GPU_IS_LOST). */
  energyRc?: number;
  /** The energy call blocks this long (ms): a hung driver call. */
  energySleepMs?: number;
  /** The energy call spins on the CPU this long (µs): a real driver's cost (4060 on an H200). */
  energyCostUs?: number;
  /**
   * The counter moves at this rate (mW) from energyMj at energyAtMs (ms since the epoch), by the
   * clock inside the library: it moves even while the process that wrote the config is busy.
   */
  energyRateMw?: number;
  energyAtMs?: number;
  powerMw?: number;
  powerRc?: number;
  limitMw?: number;
  limitRc?: number;
  /** nvmlReturn_t of nvmlDeviceGetHandleByIndex_v2 (4 = NO_PERMISSION, as under a device cgroup). */
  handleRc?: number;
  procsRc?: number;
  computePids?: number[];
  graphicsPids?: number[];
  /** MIG instances: slot (0-6) and `MIG-…` UUID. */
  migs?: { slot: number; uuid: string }[];
}

/** An A100 at 1,000,000 mJ, drawing 250 W of a 400 W limit: the hung-driver tests' GPU. */
export const FAKE_A100: FakeGpu = {
  name: "NVIDIA A100-SXM4-40GB",
  uuid: "GPU-6b8a1c2e-5f3d-4a09-9c1e-2d7f0b3a4e50",
  energyMj: 1_000_000,
  powerMw: 250_000,
  limitMw: 400_000,
};

/** The whole fake: library-wide answers and the GPUs in NVML index order. */
export interface FakeNvmlConfig {
  initRc?: number;
  countRc?: number;
  /** Process-info entry size the fake writes: 24 (header) or 32 (the R535 bug). */
  stride?: 24 | 32;
  driver?: string;
  /** The call log gets a line per energy-counter call too. */
  logEnergyCalls?: boolean;
  /** nvmlInit_v2 takes this long (ms), as a real driver's does; it is logged once done. */
  initSleepMs?: number;
  gpus: FakeGpu[];
}

/** Compiles the fake once per source version and returns the library's path. */
export function fakeNvmlLibrary(): string {
  return compiledC(SOURCE, "carbontracker-fake-nvml", "libnvidia-ml.so.1", ["-shared", "-fPIC"]);
}

/** The config file's text. */
export function renderFakeNvmlConfig(config: FakeNvmlConfig, logPath?: string): string {
  const lines: string[] = [];
  if (config.initRc !== undefined) lines.push(`init_rc ${config.initRc}`);
  if (config.countRc !== undefined) lines.push(`count_rc ${config.countRc}`);
  if (config.stride !== undefined) lines.push(`stride ${config.stride}`);
  if (config.driver !== undefined) lines.push(`driver ${config.driver}`);
  if (logPath !== undefined) lines.push(`log ${logPath}`);
  if (config.logEnergyCalls) lines.push("log_energy 1");
  if (config.initSleepMs !== undefined) lines.push(`init_sleep_ms ${config.initSleepMs}`);
  for (const gpu of config.gpus) {
    lines.push("device", `name ${gpu.name}`, `uuid ${gpu.uuid}`);
    lines.push(
      `energy_mj ${gpu.energyMj ?? 0}`,
      `power_mw ${gpu.powerMw ?? 0}`,
      `limit_mw ${gpu.limitMw ?? 0}`,
    );
    const codes: [string, number | undefined][] = [
      ["energy_rc", gpu.energyRc],
      ["energy_sleep_ms", gpu.energySleepMs],
      ["energy_cost_us", gpu.energyCostUs],
      ["energy_rate_mw", gpu.energyRateMw],
      ["energy_at_ms", gpu.energyAtMs],
      ["power_rc", gpu.powerRc],
      ["limit_rc", gpu.limitRc],
      ["handle_rc", gpu.handleRc],
      ["procs_rc", gpu.procsRc],
    ];
    for (const [key, value] of codes) if (value !== undefined) lines.push(`${key} ${value}`);
    if (gpu.computePids) lines.push(`compute_pids ${gpu.computePids.join(" ")}`);
    if (gpu.graphicsPids) lines.push(`graphics_pids ${gpu.graphicsPids.join(" ")}`);
    for (const mig of gpu.migs ?? []) lines.push(`mig ${mig.slot} ${mig.uuid}`);
  }
  return `${lines.join("\n")}\n`;
}

/** A fake NVML for one test file: its library, its config file and the calls it logged. */
export interface FakeNvml {
  library: string;
  dir: string;
  /** Replaces the fake's state; the library sees it at its next call. */
  write(config: FakeNvmlConfig): void;
  /** Names of the init/shutdown calls made so far, in order (and energy calls, if logged). */
  calls(): string[];
  /** Energy-counter calls made so far (logged with `logEnergyCalls`). */
  counterCalls(): number;
  cleanup(): void;
}

/**
 * Builds the fake and points FAKE_NVML_CONFIG (read by the C code through getenv) at a fresh
 * config file. One per test process: the loaded library is shared by every test in it.
 */
export function createFakeNvml(config: FakeNvmlConfig = { gpus: [] }): FakeNvml {
  const library = fakeNvmlLibrary();
  const dir = mkdtempSync(join(tmpdir(), "carbontracker-nvml-test-"));
  const configPath = join(dir, "fake-nvml.conf");
  const logPath = join(dir, "calls.log");
  let version = 0;
  const fake: FakeNvml = {
    library,
    dir,
    write(next) {
      version += 1;
      const partial = `${configPath}.${version}.tmp`;
      writeFileSync(partial, renderFakeNvmlConfig(next, logPath));
      // A distinct mtime per version: the fake re-reads when inode, size or mtime changes.
      const stamp = 1_000_000_000 + version;
      utimesSync(partial, stamp, stamp);
      renameSync(partial, configPath);
    },
    calls() {
      return existsSync(logPath) ? readFileSync(logPath, "utf8").split("\n").filter(Boolean) : [];
    },
    counterCalls() {
      return fake.calls().filter((call) => call === "nvmlDeviceGetTotalEnergyConsumption").length;
    },
    cleanup() {
      // A process that loaded the fake (a recorder, a proxy) may still be ending, and logging its
      // last calls here: a file written during the removal is removed on the retry.
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
  fake.write(config);
  process.env.FAKE_NVML_CONFIG = configPath;
  return fake;
}
