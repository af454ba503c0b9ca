// The CPU and GPU backends share one powermetrics process: a session per command line and
// environment in this thread, counted by its holders; the last one to give it back stops it.
import { PowermetricsSession, type SessionOptions, type StartOutcome } from "./session.js";

/** How long a failed start is remembered, so the other component's backend neither retries sudo nor repeats the message (ms). */
const FAILURE_MEMORY_MS = 60_000;

interface SharedEntry {
  pending: Promise<StartOutcome>;
  session?: PowermetricsSession;
  failedAtMs?: number;
}

/** One session per command line and environment, shared by the CPU and GPU backends of this thread. */
const shared = new Map<string, SharedEntry>();

function sessionKey(options: SessionOptions): string {
  const env = Object.entries(options.env)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([options.spec.file, options.spec.args, env]);
}

/**
 * Starts powermetrics, or joins the session already running for the same command line. Each
 * returned session must be given back with {@link releaseSession}. A failure seen moments ago for
 * the same command is returned again with `repeated` set, without starting anything.
 */
export async function acquireSession(options: SessionOptions): Promise<StartOutcome> {
  const key = sessionKey(options);
  const existing = shared.get(key);
  if (existing) {
    const outcome = await existing.pending;
    if ("session" in outcome && outcome.session.usable) {
      outcome.session.refs += 1;
      return outcome;
    }
    if ("failure" in outcome && Date.now() - (existing.failedAtMs ?? 0) < FAILURE_MEMORY_MS) {
      return { failure: { ...outcome.failure, repeated: true } };
    }
  }
  const entry: SharedEntry = { pending: PowermetricsSession.start(options) };
  shared.set(key, entry);
  const outcome = await entry.pending;
  if ("session" in outcome) {
    entry.session = outcome.session;
    outcome.session.refs += 1;
  } else {
    entry.failedAtMs = Date.now();
  }
  return outcome;
}

/** Gives back a session; the last holder stops powermetrics. */
export function releaseSession(session: PowermetricsSession): void {
  session.refs = Math.max(0, session.refs - 1);
  if (session.refs > 0) return;
  session.stop();
  for (const [key, entry] of shared) if (entry.session === session) shared.delete(key);
}
