// Comparing our console lines and logs with the original's (the corpus's generated runs), once
// normalised: lines two of the original's threads print in either order are compared as a set.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The same lines in the same order, except those matching `race`, which must be the same set. */
export function sameLines(ours: string[], original: string[], what: string, race: readonly RegExp[]): void {
  const isRace = (line: string) => race.some((pattern) => pattern.test(line));
  assert.deepEqual(
    ours.filter((l) => !isRace(l)),
    original.filter((l) => !isRace(l)),
    what,
  );
  assert.deepEqual(ours.filter(isRace).sort(), original.filter(isRace).sort(), `${what} (race lines)`);
}

/** The text of the one file in `dir` whose name ends with `suffix` (a run's log). */
export function logOf(dir: string, suffix: string): string {
  const name = readdirSync(dir).find((f) => f.endsWith(suffix));
  assert.ok(name, `no *${suffix} in ${dir}`);
  return readFileSync(join(dir, name), "utf8");
}
