// What `doctor --fix` and `--unfix` do, as a list of steps decided before anything changes, so
// --dry-run prints exactly what a real run would do (as a shell script a person could run).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ComponentUnavailableError } from "../errors/index.js";
import { findCommand } from "../hardware/find-command.js";
import { listEnergyFiles } from "./rapl-files.js";
import { groupId } from "./system-accounts.js";

/** The group the fix lets read RAPL counters unless --group names another. */
export const DEFAULT_FIX_GROUP = "carbontracker";

/** The udev rule file --fix writes (below the fix root). */
const UDEV_RULE_PATH = "/etc/udev/rules.d/99-carbontracker-rapl.rules";

/** The systemd-tmpfiles file --fix --method tmpfiles writes (below the fix root). */
const TMPFILES_PATH = "/etc/tmpfiles.d/carbontracker-rapl.conf";

/** Where the kernel's powercap class folder is (below the fix root). */
const POWERCAP_CLASS_PATH = "/sys/class/powercap";

/** How the rule persists across reboots. */
export type FixMethod = "udev" | "tmpfiles";

/** One thing the fix does. */
export type FixStep =
  | { kind: "run"; argv: string[] }
  | { kind: "write"; path: string; content: string; mode: number }
  | { kind: "remove"; path: string }
  | { kind: "chgrp"; path: string; group: string }
  | { kind: "chmod"; path: string; change: "g+r" | "g-r" };

/** The steps, or why there are none to take. */
export interface FixPlan {
  action: "fix" | "unfix";
  root: string;
  group: string;
  method: FixMethod;
  steps: FixStep[];
  /** Lines for the person after the steps (how to add users, what was left alone). */
  advice: string[];
}

/** What a plan needs to know about the machine. */
export interface FixPlanOptions {
  /** The folder standing for `/` (a temp folder in tests). */
  root: string;
  group: string;
  method: FixMethod;
  /** PATH to look for udevadm on (only when root is `/`). */
  pathVariable: string | undefined;
}

/** A group name groupadd accepts. */
export const GROUP_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

const under = (root: string, path: string): string => (root === "/" ? path : join(root, path));

function header(group: string): string[] {
  return [
    "# Written by `carbontracker doctor --fix`; remove with `carbontracker doctor --unfix`.",
    `# Lets members of group ${group} read the RAPL energy counters (energy_uj), which kernels`,
    "# patched for CVE-2020-8694 make readable by root only. Add only users you trust with this",
    `# power side channel: usermod -aG ${group} USER`,
  ];
}

/** The udev rule: on every RAPL zone's appearance, give the group read access to its counter. */
function udevRule(group: string): string {
  return [
    ...header(group),
    `ACTION=="add", SUBSYSTEM=="powercap", KERNEL=="intel-rapl*:*", RUN+="/bin/chgrp ${group} /sys%p/energy_uj", RUN+="/bin/chmod g+r /sys%p/energy_uj"`,
    "",
  ].join("\n");
}

/** The systemd-tmpfiles lines: the same, applied at boot by systemd-tmpfiles-setup. */
function tmpfilesRule(group: string): string {
  return [
    ...header(group),
    `z ${POWERCAP_CLASS_PATH}/intel-rapl:*/energy_uj 0440 root ${group} -`,
    `z ${POWERCAP_CLASS_PATH}/intel-rapl-mmio:*/energy_uj 0440 root ${group} -`,
    "",
  ].join("\n");
}

function reloadUdev(options: FixPlanOptions): FixStep[] {
  if (options.root !== "/" || findCommand("udevadm", options.pathVariable) === null) return [];
  return [{ kind: "run", argv: ["udevadm", "control", "--reload-rules"] }];
}

/**
 * The steps of --fix: create the group if missing, write the persistent rule, and apply it now
 * to every energy_uj file (chgrp, g+r). Throws when there is no RAPL file to open up.
 */
export function planFix(options: FixPlanOptions): FixPlan {
  const { root, group, method } = options;
  const powercap = under(root, POWERCAP_CLASS_PATH);
  const files = listEnergyFiles(powercap);
  if (files.length === 0) {
    throw new ComponentUnavailableError(
      "cpu",
      `no RAPL energy files (intel-rapl*/energy_uj) under ${powercap}: nothing to open up. Load the RAPL driver (modprobe intel_rapl_msr) or run --fix on the host, not in a container.`,
    );
  }
  const steps: FixStep[] = [];
  if (groupId(root, group) === undefined) {
    steps.push({
      kind: "run",
      argv:
        root === "/" ? ["groupadd", "--system", group] : ["groupadd", "--system", "--prefix", root, group],
    });
  }
  if (method === "udev") {
    steps.push({ kind: "write", path: under(root, UDEV_RULE_PATH), content: udevRule(group), mode: 0o644 });
    steps.push(...reloadUdev(options));
  } else {
    steps.push({
      kind: "write",
      path: under(root, TMPFILES_PATH),
      content: tmpfilesRule(group),
      mode: 0o644,
    });
  }
  for (const file of files) {
    steps.push({ kind: "chgrp", path: file.path, group }, { kind: "chmod", path: file.path, change: "g+r" });
  }
  return {
    action: "fix",
    root,
    group,
    method,
    steps,
    advice: [
      `Let each user who may read the counters into group ${group} (they must log in again):`,
      `  usermod -aG ${group} USER`,
    ],
  };
}

/** The steps of --unfix: remove the rule files and give the counters back to root alone. */
export function planUnfix(options: FixPlanOptions): FixPlan {
  const { root, group } = options;
  const steps: FixStep[] = [];
  const rules = [UDEV_RULE_PATH, TMPFILES_PATH].map((p) => under(root, p)).filter((p) => existsSync(p));
  for (const path of rules) steps.push({ kind: "remove", path });
  if (rules.some((p) => p.endsWith(".rules"))) steps.push(...reloadUdev(options));
  const gid = groupId(root, group);
  if (gid !== undefined) {
    for (const file of listEnergyFiles(under(root, POWERCAP_CLASS_PATH)).filter((f) => f.gid === gid)) {
      steps.push(
        { kind: "chgrp", path: file.path, group: "root" },
        { kind: "chmod", path: file.path, change: "g-r" },
      );
    }
  }
  const advice =
    gid === undefined
      ? [`Group ${group} does not exist; no counter file was given to it.`]
      : [`Group ${group} is kept (its members may use it elsewhere); delete it with: groupdel ${group}`];
  if (steps.length === 0) advice.unshift("Nothing to undo: no carbontracker rule is installed.");
  return { action: "unfix", root, group, method: options.method, steps, advice };
}

/** Quotes a word for a POSIX shell where needed. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** One step as the shell lines that do the same. */
export function stepAsShell(step: FixStep): string[] {
  switch (step.kind) {
    case "run":
      return [step.argv.map(shellWord).join(" ")];
    case "write": {
      const dir = step.path.slice(0, step.path.lastIndexOf("/")) || "/";
      return [
        `mkdir -p ${shellWord(dir)}`,
        `cat > ${shellWord(step.path)} <<'EOF'`,
        ...step.content.replace(/\n$/, "").split("\n"),
        "EOF",
        `chmod ${step.mode.toString(8).padStart(4, "0")} ${shellWord(step.path)}`,
      ];
    }
    case "remove":
      return [`rm -f ${shellWord(step.path)}`];
    case "chgrp":
      return [`chgrp ${shellWord(step.group)} ${shellWord(step.path)}`];
    case "chmod":
      return [`chmod ${step.change} ${shellWord(step.path)}`];
  }
}

/** The plan as a commented shell script: what --dry-run prints and what a real run reports doing. */
export function renderPlan(plan: FixPlan, dryRun: boolean): string {
  const flag = plan.action === "fix" ? "--fix" : "--unfix";
  const lines = [
    dryRun
      ? `# carbontracker doctor ${flag} --dry-run: nothing was changed; ${flag} would run:`
      : `# carbontracker doctor ${flag}: done:`,
  ];
  for (const step of plan.steps) lines.push(...stepAsShell(step));
  for (const line of plan.advice) lines.push(`# ${line}`);
  return `${lines.join("\n")}\n`;
}
