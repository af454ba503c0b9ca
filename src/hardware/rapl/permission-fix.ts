// What to tell a user whose kernel made energy_uj root-only (CVE-2020-8694, PLATYPUS; Linux
// 5.10 and the Nov 2020 stable backports): which files, and two ways to open them.

/** A udev rule that makes every RAPL zone's energy_uj world-readable whenever it appears. */
export const UDEV_RULE =
  'ACTION=="add", SUBSYSTEM=="powercap", KERNEL=="intel-rapl*:*", RUN+="/bin/chmod o+r /sys%p/energy_uj"';

/** Where the persistent fix puts its rule. */
const UDEV_RULE_FILE = "/etc/udev/rules.d/99-carbontracker-rapl.rules";

/** The skip reason and the two fixes for unreadable energy counters. */
export function permissionDeniedMessage(files: readonly string[]): { reason: string; fix: string } {
  const uid = process.getuid?.();
  const who = uid === undefined ? "this user" : `this user (uid ${uid})`;
  const reason =
    `RAPL energy counters are not readable by ${who}: ${files.join(", ")} (permission denied; ` +
    "energy_uj is root-only on kernels patched for CVE-2020-8694). CPU energy falls back to an estimate.";
  const fix = [
    `One-off, until the next reboot: sudo chmod o+r ${files.join(" ")}`,
    `Persistent: echo '${UDEV_RULE}' | sudo tee ${UDEV_RULE_FILE} && sudo udevadm trigger --subsystem-match=powercap --action=add`,
    "Both let local users read the power side channel of CVE-2020-8694; on shared machines use a group (chgrp, g+r) instead of o+r.",
  ].join("\n");
  return { reason, fix };
}
