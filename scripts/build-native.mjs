// Builds the sample recorder (src/native/sample-recorder.c) into dist/native, with the C compiler
// named by CC or `cc`. Where none works (no compiler, not Linux), the package still works: the
// CLI then reads every sample in Node, which costs more CPU while a run waits (issue 16), and this
// says so without failing the install.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";

const SOURCE = "src/native/sample-recorder.c";
const OUT = "dist/native/sample-recorder";

if (process.platform !== "linux") {
  console.log(
    `build-native: the sample recorder is for Linux; on ${process.platform} the CLI samples in Node.`,
  );
  process.exit(0);
}
mkdirSync("dist/native", { recursive: true });
const compiler = process.env.CC || "cc";
// Warnings are shown, not fatal: a newer compiler's new warning must not cost users the recorder.
const built = spawnSync(compiler, ["-O2", "-Wall", "-Wextra", "-o", OUT, SOURCE, "-ldl"], {
  encoding: "utf8",
});
if (built.status === 0 && built.stderr.trim()) console.warn(`build-native: ${built.stderr.trim()}`);
if (built.status !== 0) {
  const why = built.error ? String(built.error.message) : built.stderr.trim();
  console.warn(
    `build-native: could not build the sample recorder with ${compiler} (${why}).\n` +
      "  The CLI works without it, reading every sample in Node (more CPU while a run waits).\n" +
      "  Install a C compiler (apt-get install gcc) and run `npm run build` to build it.",
  );
}
