// Where the bindings' warnings go: on stdout, in order with the program's own prints, as the
// original's logger writes them (loggerutil: its error logger's console handler is
// StreamHandler(stream=sys.stdout)). A real python3 and the real engine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { pythonEnv, pythonFor, runPython } from "./python-kit.js";

const SCRIPT = [
  "from carbontracker.tracker import CarbonTracker",
  "print('before', flush=True)",
  "tracker = CarbonTracker(epochs=1, components='gpu')",
  "tracker.epoch_start(); tracker.epoch_end()",
  "print('after', flush=True)",
].join("\n");

test("a tracker that cannot start warns on stdout, between the program's prints, and the training goes on", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  // No GPU anywhere: no NVML library, no DRM folder.
  const env = pythonEnv({
    CARBONTRACKER_NVML_LIBRARY: "/nonexistent/libnvidia-ml.so.1",
    CARBONTRACKER_DRM_ROOT: "/nonexistent",
  });
  const run = await runPython(python, ["-c", SCRIPT], { env });
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    /^before\nCarbonTracker: WARNING - No GPU available to measure \(.*\)\. .*Training goes on untracked\.\nafter\n$/,
  );
  assert.equal(run.stderr, "");
});

test("no engine: the one warning is on stdout, before the program's next print", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const env = pythonEnv({ CARBONTRACKER_ENGINE: "/nonexistent/carbontracker" });
  const run = await runPython(python, ["-c", SCRIPT], { env });
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    /^before\nCarbonTracker: WARNING - CARBONTRACKER_ENGINE=\/nonexistent\/carbontracker is not the carbontracker executable .* Training runs untracked\.\nafter\n$/,
  );
  assert.equal(run.stderr, "");
});
