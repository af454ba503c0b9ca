// Facts about the machine that explain a missing counter: the kernel (RAPL's permissions and
// AMD support depend on it) and whether we run in a container (no host sysfs, no GPU passed in).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { DoctorCheck } from "./report-model.js";
import { readCpuinfo } from "../hardware/estimate/cpuinfo.js";
import { detectVm, dmiRootOf } from "../hardware/estimate/vm-detect.js";

/** What a container looks like from inside. */
export interface ContainerHints {
  inContainer: boolean;
  /** The evidence: files found, cgroup lines, variables. */
  evidence: string[];
}

const CGROUP_HINT = /(docker|kubepods|containerd|libpod|lxc|podman|crio)/;

/** Reads `<procRoot>/version`: the kernel's own line, or undefined when unreadable. */
function kernelVersion(procRoot: string): string | undefined {
  try {
    return readFileSync(join(procRoot, "version"), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Looks for /.dockerenv, /run/.containerenv, a container cgroup of PID 1 and $container. */
function containerHints(
  systemRoot: string,
  procRoot: string,
  env: Record<string, string | undefined>,
): ContainerHints {
  const evidence: string[] = [];
  for (const file of ["/.dockerenv", "/run/.containerenv"]) {
    if (existsSync(join(systemRoot, file))) evidence.push(`${file} exists`);
  }
  try {
    const cgroup = readFileSync(join(procRoot, "1", "cgroup"), "utf8");
    const line = cgroup.split("\n").find((l) => CGROUP_HINT.test(l));
    if (line) evidence.push(`${join(procRoot, "1", "cgroup")} names a container (${line.trim()})`);
  } catch {
    // No /proc/1/cgroup: not evidence either way.
  }
  if (env.container) evidence.push(`$container=${env.container}`);
  return { inContainer: evidence.length > 0, evidence };
}

/** Whether this is a virtual machine, with the evidence (what the CPU estimate models). */
function virtualMachineCheck(procRoot: string, env: Record<string, string | undefined>): DoctorCheck {
  const info = readCpuinfo(procRoot);
  if (!info) {
    return {
      label: "virtual machine",
      status: "info",
      detail: `unknown (${join(procRoot, "cpuinfo")} is unreadable)`,
    };
  }
  const verdict = detectVm(info, dmiRootOf(env));
  return {
    label: "virtual machine",
    status: "info",
    detail: verdict.vm
      ? `yes (${verdict.evidence}): a CPU estimate is this VM's share of the host CPU`
      : `no (${verdict.evidence})`,
  };
}

/** The system checks doctor prints before the components. */
export function systemChecks(
  systemRoot: string,
  procRoot: string,
  env: Record<string, string | undefined>,
): { checks: DoctorCheck[]; container: ContainerHints } {
  const kernel = kernelVersion(procRoot);
  const container = containerHints(systemRoot, procRoot, env);
  const checks: DoctorCheck[] = [
    kernel
      ? { label: "kernel", status: "info", detail: kernel }
      : { label: "kernel", status: "info", detail: `unknown (${join(procRoot, "version")} is unreadable)` },
    container.inContainer
      ? { label: "container", status: "info", detail: `yes: ${container.evidence.join("; ")}` }
      : { label: "container", status: "info", detail: "no sign of one" },
    virtualMachineCheck(procRoot, env),
  ];
  return { checks, container };
}
