// How powermetrics is started: which file, with which arguments, through `sudo -n` unless we are
// root, and what to tell the user when sudo refuses. No shell is involved anywhere.

/** Where macOS keeps powermetrics. */
export const DEFAULT_POWERMETRICS_PATH = "/usr/bin/powermetrics";

/** Samplers that print the CPU, GPU and ANE power lines on Apple silicon (and package power on Intel Macs). */
const POWERMETRICS_SAMPLERS = "cpu_power,gpu_power";

/** A process to spawn, without a shell. */
export interface SpawnSpec {
  file: string;
  args: string[];
  /** The command as a person would type it, for messages. */
  display: string;
  /** The absolute path of powermetrics (what sudoers must name). */
  powermetricsPath: string;
  viaSudo: boolean;
}

/**
 * The powermetrics command line: an endless stream of samples every `intervalMs`, line-buffered
 * so each sample reaches us when it is taken, run through `sudo -n` (never prompting) unless root.
 */
export function buildSpawnSpec(powermetricsPath: string, intervalMs: number, asRoot: boolean): SpawnSpec {
  const args = [
    "--samplers",
    POWERMETRICS_SAMPLERS,
    "-i",
    String(Math.max(1, Math.round(intervalMs))),
    "-b",
    "1",
  ];
  const file = asRoot ? powermetricsPath : "sudo";
  const fullArgs = asRoot ? args : ["-n", powermetricsPath, ...args];
  return {
    file,
    args: fullArgs,
    display: [file, ...fullArgs].join(" "),
    powermetricsPath,
    viaSudo: !asRoot,
  };
}

/** The sudoers line that lets `user` run exactly this powermetrics binary as root without a password. */
export function sudoersLine(user: string, powermetricsPath: string): string {
  return `${user} ALL=(root) NOPASSWD: ${powermetricsPath}`;
}

/** True when the process's error output says it was not allowed to run as root. */
export function isPermissionRefusal(stderr: string): boolean {
  return (
    /^sudo: .*(password|not allowed|sudoers|terminal|tty)/im.test(stderr) ||
    /must be invoked as the superuser/i.test(stderr)
  );
}
