// Runs a fake powercap tree in its own process, for end-to-end tests of the CLI:
//   node --import tsx test/helpers/fake-powercap-driver.ts --layout two-sockets --profile square:120,30,0.3,0.7
// Prints one JSON line {"root", "history", "pid", "startMs"} when the tree is ready, advances the
// counters until SIGTERM, SIGINT, --duration-s (default 300, so no driver outlives its test) or,
// with --exit-on-stdin-end, the end of stdin; then writes the recorded writes to --history (read
// them with FakeHistory.fromFile). Other options: --zones FILE (a JSON FakeZone[] instead of
// --layout/--profile), --dir, --max-range-uj, --deny (energy_uj 0400), --vanish ZONE@SECONDS, --tick-ms,
// --in-place (energy_uj rewritten in place, as sysfs changes it, instead of renamed over).
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  FakePowercap,
  amdLayout,
  laptopLayout,
  singlePackageLayout,
  twoSocketLayout,
  type FakeZone,
  type PowerProfile,
} from "./fake-powercap.js";

/** Parses `constant:W`, `square:HIGH,LOW,HIGH_S,LOW_S` or `bursts:SEED,BASE_W,BURST_W[,MEAN_BURST_S,MEAN_GAP_S]`. */
export function parseProfile(text: string): PowerProfile {
  const [kind, rest = ""] = text.split(":");
  const n = rest.split(",").filter(Boolean).map(Number);
  if (n.some((x) => !Number.isFinite(x))) throw new Error(`bad profile ${text}`);
  if (kind === "constant" && n.length === 1) return { kind, watts: n[0]! };
  if (kind === "square" && n.length === 4)
    return { kind, highW: n[0]!, lowW: n[1]!, highS: n[2]!, lowS: n[3]! };
  if (kind === "bursts" && (n.length === 3 || n.length === 5)) {
    return {
      kind,
      seed: n[0]!,
      baseW: n[1]!,
      burstW: n[2]!,
      meanBurstS: n[3] ?? 0.15,
      meanGapS: n[4] ?? 0.4,
    };
  }
  throw new Error(
    `bad profile ${text}: use constant:W, square:HIGH,LOW,HIGH_S,LOW_S or bursts:SEED,BASE,BURST`,
  );
}

/** Builds the zones of a named layout. */
export function layoutZones(
  layout: string,
  profile: PowerProfile,
  options: { maxRangeUj?: number; deny?: boolean },
) {
  let zones: FakeZone[];
  if (layout === "single") zones = singlePackageLayout(profile);
  else if (layout === "laptop") zones = laptopLayout(profile);
  else if (layout === "two-sockets") zones = twoSocketLayout(profile, 12);
  else if (layout === "amd") zones = amdLayout(profile);
  else throw new Error(`unknown layout ${layout}: use single, laptop, two-sockets or amd`);
  return zones.map((zone) => ({
    ...zone,
    ...(options.maxRangeUj !== undefined ? { maxEnergyRangeUj: options.maxRangeUj } : {}),
    ...(options.deny ? { energyMode: 0o400 } : {}),
  }));
}

function main(): void {
  const { values } = parseArgs({
    options: {
      dir: { type: "string" },
      layout: { type: "string", default: "single" },
      profile: { type: "string", default: "constant:50" },
      "max-range-uj": { type: "string" },
      deny: { type: "boolean", default: false },
      vanish: { type: "string" },
      "duration-s": { type: "string", default: "300" },
      "exit-on-stdin-end": { type: "boolean", default: false },
      "tick-ms": { type: "string", default: "10" },
      "in-place": { type: "boolean", default: false },
      history: { type: "string" },
      zones: { type: "string" },
    },
  });
  const zones = values.zones
    ? (JSON.parse(readFileSync(values.zones, "utf8")) as FakeZone[])
    : layoutZones(values.layout!, parseProfile(values.profile!), {
        maxRangeUj: values["max-range-uj"] === undefined ? undefined : Number(values["max-range-uj"]),
        deny: values.deny,
      });
  const fake = new FakePowercap(zones, values.dir, {
    tickMs: Number(values["tick-ms"]),
    inPlace: values["in-place"],
  });
  const historyPath = values.history ?? join(fake.dir, "history.json");
  fake.start();
  process.stdout.write(
    `${JSON.stringify({ root: fake.root, history: historyPath, pid: process.pid, startMs: fake.history.data.startMs })}\n`,
  );
  if (values.vanish) {
    const [zone, atS] = values.vanish.split("@");
    setTimeout(() => fake.vanish(zone!), Number(atS) * 1000);
  }
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    fake.stop();
    writeFileSync(historyPath, JSON.stringify(fake.history.data));
    process.exit(0);
  };
  process.on("SIGTERM", finish);
  process.on("SIGINT", finish);
  if (values["exit-on-stdin-end"]) {
    process.stdin.on("end", finish);
    process.stdin.resume();
  }
  setTimeout(finish, Number(values["duration-s"]) * 1000);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
