// Builds a fake /sys/class/drm tree in a temp dir, shaped as the amdgpu driver lays it out (the
// listing in shared/reference/apple-amd-intel.md §9.3): card<N> is a symlink into a PCI device
// directory, its hwmon<M> has `name` = amdgpu and power/energy files in µW/µJ, and connectors
// (card1-DP-1), render nodes and other drivers' cards sit beside it.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DetectionContext } from "../../../src/hardware/types.js";

/** One card of the fake tree. */
export interface FakeCard {
  card: number;
  hwmon: number;
  pciSlot: string;
  /** `0x1002`, `0x73bf`. */
  vendor?: string;
  device?: string;
  productName?: string;
  uniqueId?: string;
  /** hwmon `name`; `amdgpu` by default. */
  driver?: string;
  /**
   * An APU, laid out as amdgpu_pm.c's hwmon_attributes_visible leaves it: vddnb (in1_*), which
   * only APUs have, and no power1_cap* (hidden on APUs but Van Gogh and GC 9.4.3).
   */
  apu?: boolean;
  /** File name (power1_average, power1_input, energy1_input, ...) to raw text. */
  files: Record<string, string>;
}

// Two cards as in the reference listing: an Instinct board that names itself (product_name) and
// exposes an energy counter, and a consumer card with only power1_average (37 W).
export const MI210: FakeCard = {
  card: 0,
  hwmon: 3,
  pciSlot: "0000:03:00.0",
  device: "0x740f",
  productName: "AMD Instinct MI210",
  uniqueId: "8e5e2a5b0e4f1c2d",
  files: { energy1_input: "1000000", power1_average: "148000000" },
};
export const RX6800: FakeCard = {
  card: 1,
  hwmon: 4,
  pciSlot: "0000:43:00.0",
  files: { power1_average: "37000000" },
};
/** A Ryzen 7 8700G's Radeon 780M (Phoenix), an APU drawing 25 W for the whole socket. */
export const PHOENIX_APU: FakeCard = {
  card: 0,
  hwmon: 2,
  pciSlot: "0000:c4:00.0",
  device: "0x15bf",
  apu: true,
  files: { power1_average: "25000000" },
};

/** A detection context whose DRM seam points at `root`. */
export function context(
  root: string,
  env: Record<string, string> = {},
  devicesByPid = false,
): DetectionContext {
  return { env: { CARBONTRACKER_DRM_ROOT: root, ...env }, pid: process.pid, devicesByPid };
}

/** A fake DRM root with helpers to change it while a reader runs. */
export interface FakeDrm {
  root: string;
  hwmonDir(card: number): string;
  write(card: number, file: string, value: string | number): void;
  /** Removes the card as a hot-unplug or driver unbind does. */
  remove(card: number): void;
  cleanup(): void;
}

/** Writes the tree; every card gets the usual side files (power1_cap, temp1_input, ...). */
export function makeFakeDrm(cards: FakeCard[]): FakeDrm {
  const base = mkdtempSync(join(tmpdir(), "ct-drm-"));
  const root = join(base, "class", "drm");
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, "version"), "drm 1.1.0 20060810\n");
  const hwmonDirs = new Map<number, string>();
  const deviceDirs = new Map<number, string>();
  for (const card of cards) {
    const deviceDir = join(base, "devices", "pci0000:00", card.pciSlot);
    const cardDir = join(deviceDir, "drm", `card${card.card}`);
    const hwmonDir = join(deviceDir, "hwmon", `hwmon${card.hwmon}`);
    mkdirSync(cardDir, { recursive: true });
    mkdirSync(join(deviceDir, "drm", `renderD${128 + card.card}`), { recursive: true });
    mkdirSync(hwmonDir, { recursive: true });
    symlinkSync(deviceDir, join(cardDir, "device"));
    symlinkSync(cardDir, join(root, `card${card.card}`));
    mkdirSync(join(root, `card${card.card}-DP-1`));
    symlinkSync(join(deviceDir, "drm", `renderD${128 + card.card}`), join(root, `renderD${128 + card.card}`));
    const vendor = card.vendor ?? "0x1002";
    const device = card.device ?? "0x73bf";
    writeFileSync(join(deviceDir, "vendor"), `${vendor}\n`);
    writeFileSync(join(deviceDir, "device"), `${device}\n`);
    writeFileSync(
      join(deviceDir, "uevent"),
      `DRIVER=${card.driver ?? "amdgpu"}\nPCI_CLASS=30000\nPCI_ID=${vendor.slice(2).toUpperCase()}:${device.slice(2).toUpperCase()}\nPCI_SLOT_NAME=${card.pciSlot}\n`,
    );
    if (card.productName !== undefined)
      writeFileSync(join(deviceDir, "product_name"), `${card.productName}\n`);
    if (card.uniqueId !== undefined) writeFileSync(join(deviceDir, "unique_id"), `${card.uniqueId}\n`);
    const sideFiles: Record<string, string> = {
      name: card.driver ?? "amdgpu",
      ...(card.apu
        ? { in1_input: "987", in1_label: "vddnb" }
        : { power1_cap: "203000000", power1_cap_default: "203000000" }),
      power1_label: "PPT",
      temp1_input: "45000",
      temp1_label: "edge",
      in0_input: "806",
      freq1_input: "500000000",
    };
    for (const [file, text] of Object.entries({ ...sideFiles, ...card.files })) {
      writeFileSync(join(hwmonDir, file), `${text}\n`);
    }
    hwmonDirs.set(card.card, hwmonDir);
    deviceDirs.set(card.card, deviceDir);
  }
  const hwmonDir = (card: number) => {
    const dir = hwmonDirs.get(card);
    if (!dir) throw new Error(`no fake card${card}`);
    return dir;
  };
  return {
    root,
    hwmonDir,
    write: (card, file, value) => writeFileSync(join(hwmonDir(card), file), `${value}\n`),
    remove: (card) => {
      rmSync(join(root, `card${card}`), { force: true });
      rmSync(deviceDirs.get(card) ?? "", { recursive: true, force: true });
    },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}
