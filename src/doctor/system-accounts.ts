// User and group names from /etc/passwd and /etc/group under a root folder, so file owners print
// as names and the fix finds its group in the tree it writes to (a temp root in tests).
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** One entry of a passwd- or group-style file. */
interface AccountEntry {
  name: string;
  id: number;
}

function readAccounts(path: string): AccountEntry[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  const entries: AccountEntry[] = [];
  for (const line of text.split("\n")) {
    const fields = line.split(":");
    const id = Number(fields[2]);
    if (fields[0] && fields.length >= 3 && Number.isInteger(id)) entries.push({ name: fields[0], id });
  }
  return entries;
}

/** The gid of group `name` in `<root>/etc/group`, or undefined when it has none. */
export function groupId(root: string, name: string): number | undefined {
  return readAccounts(join(root, "etc", "group")).find((g) => g.name === name)?.id;
}

/** The name of gid `id` in `<root>/etc/group`, else the number. */
export function groupName(root: string, id: number): string {
  return readAccounts(join(root, "etc", "group")).find((g) => g.id === id)?.name ?? String(id);
}

/** The name of uid `id` in `<root>/etc/passwd`, else the number. */
export function userName(root: string, id: number): string {
  return readAccounts(join(root, "etc", "passwd")).find((u) => u.id === id)?.name ?? String(id);
}
