// A fake Linux powercap tree in a temp folder, advanced in real time at known power profiles,
// so RAPL code above the seam is the real code. Every write is recorded, so a test can ask for
// the exact energy the counters moved by between two instants. The same module backs the
// standalone driver (fake-powercap-driver.ts) that end-to-end tests run in another process.
import {
  closeSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { nodePowercapFiles, type PowercapFiles } from "../../src/hardware/rapl/powercap-files.js";

/** Intel's usual counter range: 32-bit counter × 61.035 µJ (µJ). */
export const INTEL_RANGE_UJ = 262_143_328_850;
/** AMD Zen counter range: 32-bit counter × 15.26 µJ (µJ). */
export const AMD_RANGE_UJ = 65_532_610_987;
/** A server DRAM range (fixed 15.3 µJ unit) (µJ). */
export const DRAM_RANGE_UJ = 65_712_999_613;

/** A power draw over time. */
export type PowerProfile =
  | { kind: "constant"; watts: number }
  | { kind: "square"; highW: number; lowW: number; highS: number; lowS: number }
  | { kind: "bursts"; seed: number; baseW: number; burstW: number; meanBurstS: number; meanGapS: number };

/** Where a zone's energy comes from. */
export type ZonePower =
  { profile: PowerProfile } | { fractionOf: string; fraction: number } | { sumOf: string[]; plusW: number };

/** One zone of the fake tree. */
export interface FakeZone {
  /** `intel-rapl:0`, `intel-rapl:0:0`, `intel-rapl-mmio:0`. */
  id: string;
  name: string;
  power: ZonePower;
  /** Default INTEL_RANGE_UJ. */
  maxEnergyRangeUj?: number;
  /** Counter value at creation (µJ); default 1_000_000 × (1 + zone order). */
  startUj?: number;
  constraints?: { name: string; powerLimitUw: number; maxPowerUw?: number }[];
  /** Mode of energy_uj (default 0o444; the kernel's is 0o400). */
  energyMode?: number;
  /** No energy_uj file at all, only its sub-zones' (the zone still draws its power, for `fractionOf`). */
  noEnergyFile?: boolean;
}

/** How the tree is laid out on disk. */
export interface FakePowercapOptions {
  /** Milliseconds between counter updates (default 10). */
  tickMs?: number;
  /** Folder to build in (default: a new temp folder). */
  dir?: string;
  /**
   * Rewrite energy_uj in place, one pwrite on a descriptor kept open, as sysfs changes a file a
   * reader holds open (default false: a new file renamed over the old one, which a reader can
   * never see half-written; a reader keeping the old one open must notice and reopen).
   */
  inPlace?: boolean;
}

const ZONE_ID = /^(intel-rapl(?:-mmio)?):(\d+)(?::(\d+))?$/;

/** The clock of the driver and of tests that compare against it: Unix ms with sub-ms resolution. */
export function preciseNowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Maps the times of a tracker's records onto the fakes' clock. Records carry the wall clock
 * (Date.now()); the fakes date their writes by preciseNowMs(), a monotonic clock set from the wall
 * clock once per process. The two part by however much the wall clock is stepped (NTP, a VM's
 * clock being resynced): a step of 0.2 s during a run reads as 12 J at 60 W. So the offset between
 * them is measured before the run and after it, and each edge of a record is mapped with its own.
 */
export class RecordClock {
  private readonly offsetBeforeMs = wallClockAheadMs();
  private offsetAfterMs: number | undefined;

  /** Marks the end of the run (call once it is over, before looking records up). */
  end(): void {
    this.offsetAfterMs = wallClockAheadMs();
  }

  /** A record's start and end times (Unix ms, wall clock) on the fakes' clock. */
  window(startT: number, endT: number): [number, number] {
    return [startT - this.offsetBeforeMs, endT - (this.offsetAfterMs ?? wallClockAheadMs())];
  }
}

/** How far the wall clock is ahead of preciseNowMs() now (ms; Date.now() has 1 ms steps). */
function wallClockAheadMs(): number {
  return Date.now() - preciseNowMs();
}

/** Cumulative energy of a profile from its start to `tS` seconds (J). */
export class ProfileIntegrator {
  private readonly bursts: { startS: number; watts: number; cumJ: number }[] = [];
  private next = 0;
  private rng: () => number;

  constructor(readonly profile: PowerProfile) {
    this.rng = mulberry32(profile.kind === "bursts" ? profile.seed : 0);
  }

  /** Power at `tS` (W). */
  powerW(tS: number): number {
    const p = this.profile;
    if (p.kind === "constant") return p.watts;
    if (p.kind === "square") return tS % (p.highS + p.lowS) < p.highS ? p.highW : p.lowW;
    this.extend(tS);
    return this.bursts[this.segmentAt(tS)]!.watts;
  }

  /** Energy from 0 to `tS` (J). */
  energyJ(tS: number): number {
    const p = this.profile;
    if (tS <= 0) return 0;
    if (p.kind === "constant") return p.watts * tS;
    if (p.kind === "square") {
      const period = p.highS + p.lowS;
      const n = Math.floor(tS / period);
      const rem = tS - n * period;
      const partial = rem < p.highS ? p.highW * rem : p.highW * p.highS + p.lowW * (rem - p.highS);
      return n * (p.highW * p.highS + p.lowW * p.lowS) + partial;
    }
    this.extend(tS);
    const segment = this.bursts[this.segmentAt(tS)]!;
    return segment.cumJ + segment.watts * (tS - segment.startS);
  }

  private segmentAt(tS: number): number {
    let lo = 0;
    let hi = this.bursts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.bursts[mid]!.startS <= tS) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private extend(tS: number): void {
    const p = this.profile;
    if (p.kind !== "bursts") return;
    while (this.bursts.length === 0 || this.next <= tS) {
      const last = this.bursts.at(-1);
      const startS = this.next;
      const cumJ = last ? last.cumJ + last.watts * (startS - last.startS) : 0;
      const burst = this.bursts.length % 2 === 1;
      const watts = burst ? p.burstW * (0.5 + 0.5 * this.rng()) : p.baseW;
      const mean = burst ? p.meanBurstS : p.meanGapS;
      this.bursts.push({ startS, watts, cumJ });
      this.next = startS + Math.max(0.005, -Math.log(1 - this.rng()) * mean);
    }
  }
}

/** Seeded 32-bit PRNG (mulberry32): uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The recorded writes of every zone: what each counter showed, unwrapped, from when on. */
export interface FakeHistoryData {
  /** When the power profiles started (Unix ms, sub-ms); before it every zone draws nothing. */
  startMs: number;
  /** The zones as configured, so the continuous energy of their profiles can be recomputed. */
  specs: FakeZone[];
  zones: Record<string, { t: number[]; uj: number[]; vanishedAtMs?: number }>;
}

/**
 * Answers "how much energy did the counters move by between t0 and t1" from recorded writes, and
 * "how much did the profiles deliver" from the zones' profiles, continuous, without tick steps.
 */
export class FakeHistory {
  private readonly specs: Map<string, FakeZone>;
  private readonly integrators = new Map<string, ProfileIntegrator>();

  constructor(readonly data: FakeHistoryData) {
    this.specs = new Map(data.specs.map((z) => [z.id, z]));
    for (const zone of data.specs) {
      if ("profile" in zone.power) this.integrators.set(zone.id, new ProfileIntegrator(zone.power.profile));
    }
  }

  /** Reads a history file written by the standalone driver. */
  static fromFile(path: string): FakeHistory {
    return new FakeHistory(JSON.parse(readFileSync(path, "utf8")) as FakeHistoryData);
  }

  /** Unwrapped counter (µJ since creation) visible at `tMs` (Unix ms). */
  counterUj(zoneId: string, tMs: number): number {
    const zone = this.data.zones[zoneId];
    if (!zone) throw new Error(`no zone ${zoneId} in the fake tree`);
    let lo = 0;
    let hi = zone.t.length - 1;
    if (tMs < zone.t[0]!) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (zone.t[mid]! <= tMs) lo = mid;
      else hi = mid - 1;
    }
    return zone.uj[lo]!;
  }

  /**
   * Bounds on what a reader in another process can have seen between reads at `t0Ms` and `t1Ms`
   * (J): a read may fall between a write and its record, so each edge may already show the next write.
   */
  injectedRangeJ(zoneIds: string | readonly string[], t0Ms: number, t1Ms: number): [number, number] {
    const ids = typeof zoneIds === "string" ? [zoneIds] : zoneIds;
    let low = 0;
    let high = 0;
    for (const id of ids) {
      low += (this.counterUj(id, t1Ms) - this.nextCounterUj(id, t0Ms)) / 1e6;
      high += (this.nextCounterUj(id, t1Ms) - this.counterUj(id, t0Ms)) / 1e6;
    }
    return [low, high];
  }

  /** The first counter value recorded after `tMs` (µJ), or the last one. */
  private nextCounterUj(zoneId: string, tMs: number): number {
    const zone = this.data.zones[zoneId]!;
    const index = zone.t.findIndex((t) => t > tMs);
    return index === -1 ? zone.uj.at(-1)! : zone.uj[index]!;
  }

  /** Energy the counters of `zoneIds` moved by between `t0Ms` and `t1Ms` (J). */
  injectedJ(zoneIds: string | readonly string[], t0Ms: number, t1Ms: number): number {
    const ids = typeof zoneIds === "string" ? [zoneIds] : zoneIds;
    return ids.reduce((sum, id) => sum + (this.counterUj(id, t1Ms) - this.counterUj(id, t0Ms)) / 1e6, 0);
  }

  /** Energy the profiles of `zoneIds` delivered between two instants (J), continuous (no ticks, no vanishing). */
  profileJ(zoneIds: string | readonly string[], t0Ms: number, t1Ms: number): number {
    const ids = typeof zoneIds === "string" ? [zoneIds] : zoneIds;
    const at = (tMs: number, id: string): number => this.zoneEnergyJ(id, (tMs - this.data.startMs) / 1000);
    return ids.reduce((sum, id) => sum + at(t1Ms, id) - at(t0Ms, id), 0);
  }

  /** Cumulative energy of a zone `tS` seconds after the start (J). */
  zoneEnergyJ(id: string, tS: number): number {
    const zone = this.specs.get(id);
    if (!zone) throw new Error(`no zone ${id} in the fake tree`);
    if (tS <= 0) return 0;
    const power = zone.power;
    if ("profile" in power) return this.integrators.get(id)!.energyJ(tS);
    if ("fractionOf" in power) return power.fraction * this.zoneEnergyJ(power.fractionOf, tS);
    return power.sumOf.reduce((sum, other) => sum + this.zoneEnergyJ(other, tS), power.plusW * tS);
  }
}

/**
 * A fake powercap tree driven in real time by a timer on this thread. Code that blocks this thread
 * (CarbonTracker's boundary reads wait on its sampler worker) holds the counters back, unlike real
 * hardware: for such tests use spawnFakePowercap, which drives the tree from another process.
 */
export class FakePowercap {
  /** What to pass as CARBONTRACKER_POWERCAP_ROOT: the flat class directory of symlinks. */
  readonly root: string;
  /** The nested devices tree (/sys/devices/virtual/powercap). */
  readonly devicesRoot: string;
  readonly history: FakeHistory;
  readonly tickMs: number;
  private readonly zones: Map<string, FakeZone>;
  private readonly paths = new Map<string, string>();
  private readonly vanished = new Set<string>();
  private originMs: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly inPlace: boolean;
  private readonly counterFds = new Map<string, number>();

  constructor(
    zones: FakeZone[],
    readonly dir: string = mkdtempSync(join(tmpdir(), "fake-powercap-")),
    options: FakePowercapOptions = {},
  ) {
    this.tickMs = options.tickMs ?? 10;
    this.inPlace = options.inPlace ?? false;
    this.zones = new Map(zones.map((z, i) => [z.id, { ...z, startUj: z.startUj ?? 1_000_000 * (i + 1) }]));
    this.root = join(dir, "class", "powercap");
    this.devicesRoot = join(dir, "devices", "virtual", "powercap");
    this.history = new FakeHistory({ startMs: Infinity, specs: [...this.zones.values()], zones: {} });
    this.build();
  }

  /** Starts the power profiles now and advances the counters every tickMs. */
  start(): this {
    this.originMs = preciseNowMs();
    this.history.data.startMs = this.originMs;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.tickMs);
    return this;
  }

  /** Stops advancing the counters. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const fd of this.counterFds.values()) closeSync(fd);
    this.counterFds.clear();
  }

  /** Stops and deletes the tree. */
  dispose(): void {
    this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The driver's clock (Unix ms, sub-ms resolution). */
  now(): number {
    return preciseNowMs();
  }

  /** Energy the counters of `zoneIds` moved by between two instants of now() (J). */
  injectedJ(zoneIds: string | readonly string[], t0Ms: number, t1Ms: number): number {
    return this.history.injectedJ(zoneIds, t0Ms, t1Ms);
  }

  /** Energy the profiles delivered between two instants (J), continuous, not stepped by the ticks. */
  profileJ(zoneIds: string | readonly string[], t0Ms: number, t1Ms: number): number {
    return this.history.profileJ(zoneIds, t0Ms, t1Ms);
  }

  /** Removes a zone (and its sub-zones) as a module unload or CPU unplug would; returns when (Unix ms). */
  vanish(zoneId: string): number {
    const at = preciseNowMs();
    for (const id of [...this.zones.keys()].filter((z) => z === zoneId || z.startsWith(`${zoneId}:`))) {
      this.vanished.add(id);
      this.history.data.zones[id]!.vanishedAtMs = at;
      rmSync(join(this.root, id), { force: true });
    }
    rmSync(this.paths.get(zoneId)!, { recursive: true, force: true });
    return at;
  }

  /** Writes every zone's counter for the current instant. */
  tick(): void {
    const tS = this.originMs === undefined ? 0 : (preciseNowMs() - this.originMs) / 1000;
    const values: [string, number][] = [];
    for (const id of this.zones.keys()) {
      if (!this.vanished.has(id)) values.push([id, Math.floor(this.history.zoneEnergyJ(id, tS) * 1e6)]);
    }
    for (const [id, uj] of values) this.writeCounter(id, uj);
    const at = preciseNowMs();
    for (const [id, uj] of values) {
      const record = this.history.data.zones[id]!;
      if (record.uj.at(-1) !== uj) {
        record.t.push(at);
        record.uj.push(uj);
      }
    }
  }

  private writeCounter(id: string, unwrappedUj: number): void {
    const zone = this.zones.get(id)!;
    if (zone.noEnergyFile) return;
    const modulus = (zone.maxEnergyRangeUj ?? INTEL_RANGE_UJ) + 1;
    const path = join(this.paths.get(id)!, "energy_uj");
    const text = `${(zone.startUj! + unwrappedUj) % modulus}\n`;
    const fd = this.inPlace ? this.counterFds.get(id) : undefined;
    if (fd !== undefined) {
      const bytes = Buffer.from(text);
      writeSync(fd, bytes, 0, bytes.length, 0);
      if (bytes.length < fstatSync(fd).size) ftruncateSync(fd, bytes.length);
      return;
    }
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, text, { mode: zone.energyMode ?? 0o444 });
    renameSync(tmp, path);
    if (this.inPlace) {
      try {
        this.counterFds.set(id, openSync(path, "r+"));
      } catch {
        // Not writable in place (a non-root user and a read-only mode): renamed files it is.
      }
    }
  }

  private build(): void {
    mkdirSync(this.root, { recursive: true });
    const controlTypes = new Set<string>();
    for (const zone of this.zones.values()) {
      const match = ZONE_ID.exec(zone.id);
      if (!match) throw new Error(`bad zone id ${zone.id}`);
      const controlType = match[1]!;
      const parent = match[3] === undefined ? undefined : `${controlType}:${match[2]}`;
      const path =
        parent === undefined
          ? join(this.devicesRoot, controlType, zone.id)
          : join(this.devicesRoot, controlType, parent, zone.id);
      if (!controlTypes.has(controlType)) {
        controlTypes.add(controlType);
        mkdirSync(join(this.devicesRoot, controlType), { recursive: true });
        writeFileSync(join(this.devicesRoot, controlType, "enabled"), "1\n");
        symlinkSync(relative(this.root, join(this.devicesRoot, controlType)), join(this.root, controlType));
      }
      mkdirSync(path, { recursive: true });
      this.paths.set(zone.id, path);
      writeFileSync(join(path, "name"), `${zone.name}\n`);
      writeFileSync(join(path, "max_energy_range_uj"), `${zone.maxEnergyRangeUj ?? INTEL_RANGE_UJ}\n`);
      writeFileSync(join(path, "enabled"), "1\n");
      for (const [i, c] of (zone.constraints ?? []).entries()) {
        writeFileSync(join(path, `constraint_${i}_name`), `${c.name}\n`);
        writeFileSync(join(path, `constraint_${i}_power_limit_uw`), `${c.powerLimitUw}\n`);
        writeFileSync(join(path, `constraint_${i}_time_window_us`), "999424\n");
        if (c.maxPowerUw !== undefined)
          writeFileSync(join(path, `constraint_${i}_max_power_uw`), `${c.maxPowerUw}\n`);
      }
      symlinkSync(relative(this.root, path), join(this.root, zone.id));
      this.writeCounter(zone.id, 0);
      this.history.data.zones[zone.id] = { t: [preciseNowMs()], uj: [0] };
    }
  }
}

/** File access as a non-root user sees it: files without the world-read bit fail with EACCES. */
export function unprivilegedFiles(base: PowercapFiles = nodePowercapFiles): PowercapFiles {
  return {
    list: (path) => base.list(path),
    readText: (path) => {
      if ((statSync(path).mode & 0o004) === 0) {
        throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), {
          code: "EACCES",
          errno: -13,
          syscall: "open",
          path,
        });
      }
      return base.readText(path);
    },
  };
}

/** Intel package constraints of a 65 W desktop part (PL1 65 W, PL2 117 W). */
export const DESKTOP_CONSTRAINTS = [
  { name: "long_term", powerLimitUw: 65_000_000, maxPowerUw: 65_000_000 },
  { name: "short_term", powerLimitUw: 117_000_000 },
];

/** One Intel package with core and uncore sub-zones (which must not be added to it). */
export function singlePackageLayout(profile: PowerProfile, overrides: Partial<FakeZone> = {}): FakeZone[] {
  return [
    {
      id: "intel-rapl:0",
      name: "package-0",
      power: { profile },
      constraints: DESKTOP_CONSTRAINTS,
      ...overrides,
    },
    { id: "intel-rapl:0:0", name: "core", power: { fractionOf: "intel-rapl:0", fraction: 0.7 } },
    { id: "intel-rapl:0:1", name: "uncore", power: { fractionOf: "intel-rapl:0", fraction: 0.1 } },
  ];
}

/** An Intel laptop: package with core/uncore, psys at intel-rapl:1, and an MMIO duplicate of the package. */
export function laptopLayout(profile: PowerProfile): FakeZone[] {
  return [
    ...singlePackageLayout(profile),
    { id: "intel-rapl:1", name: "psys", power: { sumOf: ["intel-rapl:0"], plusW: 4 } },
    { id: "intel-rapl-mmio:0", name: "package-0", power: { fractionOf: "intel-rapl:0", fraction: 1 } },
  ];
}

/** A two-socket Intel server with DRAM under each package; socket 1 draws `socket1Scale` of socket 0. */
export function twoSocketLayout(profile: PowerProfile, dramW: number, socket1Scale = 0.6): FakeZone[] {
  const server = [{ name: "long_term", powerLimitUw: 205_000_000, maxPowerUw: 205_000_000 }];
  return [
    { id: "intel-rapl:0", name: "package-0", power: { profile }, constraints: server },
    {
      id: "intel-rapl:0:0",
      name: "dram",
      power: { profile: { kind: "constant", watts: dramW } },
      maxEnergyRangeUj: DRAM_RANGE_UJ,
    },
    {
      id: "intel-rapl:1",
      name: "package-1",
      power: { fractionOf: "intel-rapl:0", fraction: socket1Scale },
      constraints: server,
    },
    {
      id: "intel-rapl:1:0",
      name: "dram",
      power: { profile: { kind: "constant", watts: dramW * 0.8 } },
      maxEnergyRangeUj: DRAM_RANGE_UJ,
    },
  ];
}

/** An AMD EPYC socket: package and a one-core `core` zone, AMD's range, no constraint files. */
export function amdLayout(profile: PowerProfile): FakeZone[] {
  return [
    { id: "intel-rapl:0", name: "package-0", power: { profile }, maxEnergyRangeUj: AMD_RANGE_UJ },
    {
      id: "intel-rapl:0:0",
      name: "core",
      power: { fractionOf: "intel-rapl:0", fraction: 0.03 },
      maxEnergyRangeUj: AMD_RANGE_UJ,
    },
  ];
}

/** A fake tree advanced by another process, as real counters are: never held up by this thread. */
export interface FakePowercapProcess {
  /** CARBONTRACKER_POWERCAP_ROOT for the tree. */
  root: string;
  pid: number;
  /** Stops the driver and returns what it injected; the tree is deleted. */
  stop(): Promise<FakeHistory>;
}

/** Runs fake-powercap-driver.ts in a child process on `zones` and waits until the tree is ready. */
export async function spawnFakePowercap(
  zones: FakeZone[],
  options: { tickMs?: number; inPlace?: boolean } = {},
): Promise<FakePowercapProcess> {
  const dir = mkdtempSync(join(tmpdir(), "fake-powercap-"));
  const zonesFile = join(dir, "zones.json");
  writeFileSync(zonesFile, JSON.stringify(zones));
  const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
  const driver = fileURLToPath(new URL("./fake-powercap-driver.ts", import.meta.url));
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      driver,
      "--zones",
      zonesFile,
      "--dir",
      join(dir, "tree"),
      "--tick-ms",
      String(options.tickMs ?? 10),
      ...(options.inPlace ? ["--in-place"] : []),
    ],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = once(child, "exit");
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout! }), "line"),
    exited.then(() => {
      throw new Error("the fake powercap driver exited before its tree was ready");
    }),
  ])) as [string];
  const ready = JSON.parse(line) as { root: string; history: string; pid: number };
  return {
    root: ready.root,
    pid: ready.pid,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
      const history = FakeHistory.fromFile(ready.history);
      rmSync(dir, { recursive: true, force: true });
      return history;
    },
  };
}
