// Carries out a fix plan step by step, stopping at the first failure with what failed; the only
// code in doctor that changes the machine.
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { CarbonTrackerError } from "../errors/index.js";
import type { FixPlan, FixStep } from "./fix-plan.js";
import { stepAsShell } from "./fix-plan.js";
import { groupId } from "./system-accounts.js";
import { makeFolder } from "../files/make-folder.js";

/** Runs a command and says how it ended (injectable: tests stand in for groupadd, udevadm). */
export type CommandRunner = (argv: string[]) => { status: number | null; stderr: string };

/** Runs the real command, without a shell. */
const spawnRunner: CommandRunner = (argv) => {
  const result = spawnSync(argv[0] as string, argv.slice(1), { encoding: "utf8" });
  if (result.error) return { status: null, stderr: result.error.message };
  return { status: result.status, stderr: result.stderr };
};

function gidOf(root: string, group: string): number {
  const gid = groupId(root, group) ?? (group === "root" ? 0 : undefined);
  if (gid === undefined) throw new Error(`group ${group} is not in ${root === "/" ? "" : root}/etc/group`);
  return gid;
}

function applyStep(step: FixStep, root: string, run: CommandRunner): void {
  switch (step.kind) {
    case "run": {
      const result = run(step.argv);
      if (result.status !== 0) {
        throw new Error(
          `exit ${result.status ?? "?"}${result.stderr.trim() ? `: ${result.stderr.trim()}` : ""}`,
        );
      }
      return;
    }
    case "write":
      makeFolder(dirname(step.path));
      writeFileSync(step.path, step.content, { mode: step.mode });
      chmodSync(step.path, step.mode);
      return;
    case "remove":
      rmSync(step.path, { force: true });
      return;
    case "chgrp":
      chownSync(step.path, statSync(step.path).uid, gidOf(root, step.group));
      return;
    case "chmod": {
      const mode = statSync(step.path).mode & 0o7777;
      chmodSync(step.path, step.change === "g+r" ? mode | 0o040 : mode & ~0o040);
      return;
    }
  }
}

/** Applies every step in order; throws an Error naming the failed step (as its shell line). */
export function applyPlan(plan: FixPlan, run: CommandRunner = spawnRunner): void {
  for (const step of plan.steps) {
    try {
      applyStep(step, plan.root, run);
    } catch (error) {
      const what = stepAsShell(step)[0] ?? step.kind;
      throw new CarbonTrackerError(
        `'${what}' failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
