// The sample recorder's executable as `npm install` builds it (dist/native): tests run the real one.
import { existsSync } from "node:fs";
import { resolve } from "node:path";

/** The built recorder; fails the test with the command that builds it when it is missing. */
export function recorderBinary(): string {
  const path = resolve("dist/native/sample-recorder");
  if (!existsSync(path))
    throw new Error(`${path} is missing: run \`npm run build\` (it needs a C compiler, cc)`);
  return path;
}
