// Who owns a log file, for grouping runs by user when the logs name none (the original's logs
// never do). Node has no getpwuid, so uids are named from /etc/passwd where it can be read.
import { readFile, stat } from "node:fs/promises";

let users: Promise<Map<number, string>> | undefined;

async function readUsers(passwdPath: string): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  try {
    for (const line of (await readFile(passwdPath, "utf8")).split("\n")) {
      const [name, , uid] = line.split(":");
      if (name && uid && /^\d+$/.test(uid)) names.set(Number(uid), name);
    }
  } catch {
    // No passwd file (containers, Windows): uids stay numeric.
  }
  return names;
}

/** The user name owning a file (`uid 1234` when unnamed), or null when it cannot be stat'ed. */
export async function fileOwner(path: string, passwdPath = "/etc/passwd"): Promise<string | null> {
  try {
    const { uid } = await stat(path);
    users ??= readUsers(passwdPath);
    return (await users).get(uid) ?? `uid ${uid}`;
  } catch {
    return null;
  }
}
