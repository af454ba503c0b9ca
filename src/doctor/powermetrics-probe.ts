// Whether powermetrics (macOS, root only) can be run: found or not, and whether `sudo -n` lets
// this user run it without a password. Asks sudo with -l, so nothing is started.
import { execFile } from "node:child_process";
import { userInfo } from "node:os";
import { findCommand } from "../hardware/find-command.js";
import type { DoctorCheck } from "./report-model.js";

/** Where macOS keeps powermetrics. */
const MAC_POWERMETRICS = "/usr/bin/powermetrics";

/** Runs a command without a shell, answering exit code and error text; never rejects. */
function runQuietly(
  file: string,
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs: number,
): Promise<{ code: number | null; stderr: string; error?: string }> {
  return new Promise((done) => {
    execFile(file, args, { env: env as NodeJS.ProcessEnv, timeout: timeoutMs }, (error, _stdout, stderr) => {
      if (!error) return done({ code: 0, stderr: String(stderr) });
      const code = typeof error.code === "number" ? error.code : null;
      done({ code, stderr: String(stderr), error: error.killed ? "timed out" : error.message });
    });
  });
}

/** Options of the probe, each with the real default. */
export interface PowermetricsProbeOptions {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  uid: number | undefined;
  /** How long sudo may take to answer (ms). */
  timeoutMs: number;
}

/** The powermetrics line of the CPU and GPU sections, or undefined where it does not apply. */
export async function powermetricsCheck(options: PowermetricsProbeOptions): Promise<DoctorCheck | undefined> {
  const { env } = options;
  const configured = env.CARBONTRACKER_POWERMETRICS;
  if (configured === undefined && options.platform !== "darwin") return undefined;
  const command = configured ?? "powermetrics";
  const path =
    findCommand(command, env.PATH) ?? (configured === undefined ? findCommand(MAC_POWERMETRICS, "") : null);
  const label = "powermetrics";
  if (path === null) {
    return {
      label,
      status: "warn",
      detail: `'${command}' not found or not executable (CARBONTRACKER_POWERMETRICS)`,
    };
  }
  if (options.uid === 0) {
    return { label, status: "ok", detail: `${path}; running as root, no sudo needed` };
  }
  const sudo = findCommand("sudo", env.PATH);
  if (sudo === null) {
    return {
      label,
      status: "warn",
      detail: `${path} found, but sudo is not on PATH and powermetrics must run as root`,
      fix: "Install sudo, or run carbontracker as root.",
    };
  }
  const answer = await runQuietly(sudo, ["-n", "-l", path], env, options.timeoutMs);
  if (answer.code === 0) {
    return { label, status: "ok", detail: `${path}; sudo -n may run it without a password` };
  }
  const said = answer.stderr.trim().split("\n")[0] || answer.error || `exit ${answer.code}`;
  let user = env.USER;
  try {
    user ||= userInfo().username;
  } catch {
    user ||= "<your user name>";
  }
  return {
    label,
    status: "warn",
    detail: `${path} found, but sudo -n refuses to run it (${said})`,
    fix: `sudo visudo -f /etc/sudoers.d/carbontracker-powermetrics and add the line: ${user} ALL=(root) NOPASSWD: ${path}`,
  };
}
