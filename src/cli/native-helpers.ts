// Where the sample recorder's executable is (src/native/sample-recorder.c, built into the package
// by `npm install` where a C compiler is found). CARBONTRACKER_SAMPLE_RECORDER=0 turns it off: the
// CLI then reads every sample in Node, as it does where the recorder was not built.
import { accessSync, constants } from "node:fs";
import { packageFile } from "../data/package-file.js";

/** The package's path of the recorder's executable. */
const SAMPLE_RECORDER_PATH = "dist/native/sample-recorder";

/** The recorder's executable, or undefined where it is off or was not built. */
export function sampleRecorderBinary(env: Record<string, string | undefined>): string | undefined {
  if (env.CARBONTRACKER_SAMPLE_RECORDER === "0" || process.platform !== "linux") return undefined;
  const path = packageFile(SAMPLE_RECORDER_PATH);
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}
