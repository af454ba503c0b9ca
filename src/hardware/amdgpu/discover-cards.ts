// Finds AMD GPUs in the DRM sysfs tree: /sys/class/drm/card<N>/device/hwmon/hwmon<M>/ whose
// `name` is `amdgpu`, with the files that give their energy or power and their identity.
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { basename, join } from "node:path";

/** How a card's energy is known: a cumulative counter, or power sampled and integrated. */
export type AmdgpuSource =
  | { kind: "counter"; file: "energy1_input"; powerFile: string | null }
  | { kind: "sampled"; file: "power1_average" | "power1_input" };

/** One amdgpu card as sysfs describes it. */
export interface AmdgpuCard {
  /** `card1`. */
  card: string;
  cardNumber: number;
  /** `<drmRoot>/card1/device`. */
  deviceDir: string;
  /** `<drmRoot>/card1/device/hwmon/hwmon4`. */
  hwmonDir: string;
  /** Marketing name from `product_name` where the board offers one. */
  productName: string | null;
  /** `1002:73bf`, from `vendor`/`device` or the uevent's PCI_ID. */
  pciId: string | null;
  /** `0000:03:00.0`. */
  pciSlot: string | null;
  /** `unique_id` (ROCm prints it as the UUID `GPU-<unique_id>`). */
  uniqueId: string | null;
  /** Where energy comes from; null when the hwmon has no usable file. */
  source: AmdgpuSource | null;
  /** `power1_cap` (W), when present. */
  powerCapW: number | null;
  /** An APU: its power files give the whole socket's power, the CPU cores' included. */
  apu: boolean;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return null;
  }
}

function readable(path: string): boolean {
  return readText(path) !== null;
}

function pciIdOf(deviceDir: string, uevent: Map<string, string>): string | null {
  const vendor = readText(join(deviceDir, "vendor"));
  const device = readText(join(deviceDir, "device"));
  if (vendor && device) return `${vendor.replace(/^0x/i, "")}:${device.replace(/^0x/i, "")}`.toLowerCase();
  return uevent.get("PCI_ID")?.toLowerCase() ?? null;
}

function parseUevent(text: string | null): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of (text ?? "").split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) fields.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  return fields;
}

function pciSlotOf(deviceDir: string, uevent: Map<string, string>): string | null {
  const fromUevent = uevent.get("PCI_SLOT_NAME");
  if (fromUevent) return fromUevent;
  try {
    const real = basename(realpathSync(deviceDir));
    return /^[\da-f]{4}:[\da-f]{2}:[\da-f]{2}\.\d$/i.test(real) ? real : null;
  } catch {
    return null;
  }
}

function sourceOf(hwmonDir: string): AmdgpuSource | null {
  const powerFile =
    (["power1_average", "power1_input"] as const).find((f) => readable(join(hwmonDir, f))) ?? null;
  if (readable(join(hwmonDir, "energy1_input"))) return { kind: "counter", file: "energy1_input", powerFile };
  return powerFile ? { kind: "sampled", file: powerFile } : null;
}

// amdgpu creates in1_input/in1_label (vddnb, the northbridge voltage) on APUs only ("only APUs
// other than gc 9,4,3 have vddnb", hwmon_attributes_visible in amdgpu_pm.c): the one sign of an
// APU in its hwmon directory. GC 9.4.3 (MI300A) is an APU without it, and is not recognised.
function isApu(hwmonDir: string): boolean {
  return existsSync(join(hwmonDir, "in1_input")) || existsSync(join(hwmonDir, "in1_label"));
}

function amdgpuHwmonDir(deviceDir: string): string | null {
  let entries: string[];
  try {
    entries = readdirSync(join(deviceDir, "hwmon"));
  } catch {
    return null;
  }
  const hwmons = entries
    .filter((e) => /^hwmon\d+$/.test(e))
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  for (const entry of hwmons) {
    const dir = join(deviceDir, "hwmon", entry);
    if (readText(join(dir, "name")) === "amdgpu") return dir;
  }
  return null;
}

/**
 * Lists amdgpu cards under `drmRoot` in card-number order (connectors such as `card1-DP-1` and
 * render nodes are not cards). Throws when `drmRoot` itself cannot be listed.
 */
export function discoverAmdgpuCards(drmRoot: string): AmdgpuCard[] {
  const cards: AmdgpuCard[] = [];
  for (const entry of readdirSync(drmRoot)) {
    const match = /^card(\d+)$/.exec(entry);
    if (!match) continue;
    const deviceDir = join(drmRoot, entry, "device");
    const hwmonDir = amdgpuHwmonDir(deviceDir);
    if (!hwmonDir) continue;
    const uevent = parseUevent(readText(join(deviceDir, "uevent")));
    const capUw = Number(readText(join(hwmonDir, "power1_cap")) ?? NaN);
    cards.push({
      card: entry,
      cardNumber: Number(match[1]),
      deviceDir,
      hwmonDir,
      productName: readText(join(deviceDir, "product_name")) || null,
      pciId: pciIdOf(deviceDir, uevent),
      pciSlot: pciSlotOf(deviceDir, uevent),
      uniqueId: readText(join(deviceDir, "unique_id")) || null,
      source: sourceOf(hwmonDir),
      powerCapW: Number.isFinite(capUw) ? capUw / 1_000_000 : null,
      apu: isApu(hwmonDir),
    });
  }
  return cards.sort((a, b) => a.cardNumber - b.cardNumber);
}
