// Builds the CLI's two helper programs into dist/native, with the C compiler named by CC or `cc`:
// the sample recorder (src/native/sample-recorder.c) and the NVML proxy (src/native/nvml-proxy.c).
// Where none works (no compiler, not Linux), the package still works: the CLI then reads every
// sample in Node (more CPU while a run waits, issue 16), and asks NVML from a sampler thread (more
// memory); this says so without failing the install.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";

const PROGRAMS = [
  {
    source: "src/native/sample-recorder.c",
    out: "dist/native/sample-recorder",
    without: "the CLI reads every sample in Node (more CPU while a run waits)",
  },
  {
    source: "src/native/nvml-proxy.c",
    out: "dist/native/nvml-proxy",
    without: "the CLI asks NVML from a sampler thread (about 12 MB more memory on a GPU machine)",
  },
];

if (process.platform !== "linux") {
  console.log(
    `build-native: the sample recorder and NVML proxy are for Linux; on ${process.platform} the CLI samples in Node.`,
  );
  process.exit(0);
}
mkdirSync("dist/native", { recursive: true });
const compiler = process.env.CC || "cc";
for (const { source, out, without } of PROGRAMS) {
  // Warnings are shown, not fatal: a newer compiler's new warning must not cost users the program.
  const built = spawnSync(compiler, ["-O2", "-Wall", "-Wextra", "-o", out, source, "-ldl"], {
    encoding: "utf8",
  });
  if (built.status === 0 && built.stderr.trim()) console.warn(`build-native: ${built.stderr.trim()}`);
  if (built.status !== 0) {
    const why = built.error ? String(built.error.message) : built.stderr.trim();
    console.warn(
      `build-native: could not build ${out} with ${compiler} (${why}).\n` +
        `  The CLI works without it: ${without}.\n` +
        "  Install a C compiler (apt-get install gcc) and run `npm run build` to build it.",
    );
  }
}
