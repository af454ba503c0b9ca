// Where the CLI's helper programs are, built into the package by `npm install` where a C compiler
// is found (scripts/build-native.mjs): the sample recorder (src/native/sample-recorder.c) and the
// NVML proxy (src/native/nvml-proxy.c). Each can be turned off, and the CLI then works as it does
// where it was not built: CARBONTRACKER_SAMPLE_RECORDER=0 reads every sample in Node;
// CARBONTRACKER_NVML_PROXY=0 asks NVML from a sampler thread.
import { accessSync, constants } from "node:fs";
import { packageFile } from "./package-file.js";

/** The executable at the package's `path`, or undefined where `switchName` is 0 or it was not built. */
function helper(
  path: string,
  switchName: string,
  env: Record<string, string | undefined>,
): string | undefined {
  if (env[switchName] === "0" || process.platform !== "linux") return undefined;
  const file = packageFile(path);
  try {
    accessSync(file, constants.X_OK);
    return file;
  } catch {
    return undefined;
  }
}

/** The sample recorder's executable, or undefined where it is off or was not built. */
export function sampleRecorderBinary(env: Record<string, string | undefined>): string | undefined {
  return helper("dist/native/sample-recorder", "CARBONTRACKER_SAMPLE_RECORDER", env);
}

/** The NVML proxy's executable, or undefined where it is off or was not built. */
export function nvmlProxyBinary(env: Record<string, string | undefined>): string | undefined {
  return helper("dist/native/nvml-proxy", "CARBONTRACKER_NVML_PROXY", env);
}
