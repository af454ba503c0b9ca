// The live status line: its format, its off-switches, and that it stays out of piped output.
/* eslint-disable no-control-regex -- terminal escape codes are what these tests check. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatStatusLine, liveViewEnabled, type LiveFigures } from "../../src/cli/live-view.js";
import { CLI, runCli, tempDir } from "../helpers/cli-process.js";
import { createFakeNvml, FAKE_A100 } from "../helpers/fake-nvml.js";

const FIGURES: LiveFigures = {
  elapsedS: 65,
  powerW: { cpu: 50, gpu: 120.25 },
  energyKwh: 0.0012346,
  co2eqG: 0.549,
  gPerKwh: 445,
  epoch: 2,
  epochs: 10,
};

test("the status line shows elapsed, power by component, energy, CO2eq, intensity and epoch", () => {
  assert.equal(
    formatStatusLine(FIGURES),
    "carbontracker 0:01:05 | CPU 50.0 W, GPU 120.3 W | 0.001235 kWh | 0.549 g CO2eq | 445 gCO2eq/kWh | epoch 2/10",
  );
  assert.equal(
    formatStatusLine({ ...FIGURES, powerW: {}, gPerKwh: undefined }),
    "carbontracker 0:01:05 | no devices | 0.001235 kWh | 0.549 g CO2eq | intensity ? | epoch 2/10",
  );
});

test("the status line is cut to the terminal width", () => {
  const line = formatStatusLine(FIGURES, 30);
  assert.equal(line, "carbontracker 0:01:05 | CPU 5");
});

test("the live view is off with --no-live or when stderr is not a terminal", () => {
  assert.equal(liveViewEnabled(true, { isTTY: true }), true);
  assert.equal(liveViewEnabled(false, { isTTY: true }), false);
  assert.equal(liveViewEnabled(true, { isTTY: false }), false);
  assert.equal(liveViewEnabled(true, {}), false);
});

test("piped stderr gets no status line or terminal codes", async () => {
  const logDir = join(tempDir(), "logs");
  const run = await runCli([
    "--sim-cpu",
    "X",
    "--sim-cpu-tdp",
    "100",
    "--log_dir",
    logDir,
    "node",
    "-e",
    "setTimeout(() => {}, 1300)",
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stderr + run.stdout, /\x1b|carbontracker \d+:\d\d:\d\d/);
});

// Runs the CLI in a pseudo-terminal (python3's pty module) and returns all it drew.
function underPty(args: string[], env: Record<string, string> = {}): string {
  const script = `
import fcntl, os, pty, struct, sys, termios
argv = [${JSON.stringify(process.execPath)}, ${JSON.stringify(CLI)}] + sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 160, 0, 0))
    os.execv(argv[0], argv)
out = bytearray()
while True:
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out.extend(data)
os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
`;
  const result = spawnSync("python3", ["-c", script, ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CARBONTRACKER_OFFLINE: "1",
      TERM: "xterm",
      ...env,
    },
    encoding: "utf8",
    timeout: 30_000,
  });
  return result.stdout;
}

test("on a terminal the status line is drawn on the last row and cleared at the end", () => {
  const logDir = join(tempDir(), "logs");
  const child =
    "let i=0; const t=setInterval(()=>{console.log('line '+(++i)); if(i===3) clearInterval(t)}, 700)";
  const drawn = underPty([
    "--epochs",
    "2",
    "--sim-cpu",
    "X",
    "--sim-cpu-tdp",
    "100",
    "--log_dir",
    logDir,
    "node",
    "-e",
    child,
  ]);
  assert.match(drawn, /line 3/);
  // Scroll region set, status line drawn on the last row, region reset at the end.
  assert.match(drawn, /\x1b\[1;23r/);
  assert.match(
    drawn,
    /\x1b\[24;1H\x1b\[2Kcarbontracker 0:00:0\d \| CPU \d+\.\d W \| \d\.\d{6} kWh \| \d\.\d{3} g CO2eq \| 445 gCO2eq\/kWh \| epoch 1\/2/,
  );
  assert.match(drawn, /\x1b\[r\x1b\[24;1H\x1b\[2K\x1b8/);
  // Every draw saves the cursor, writes only the last row and restores the cursor, so the
  // child's lines (in the scroll region above) never share a row with the status line.
  const draws = drawn.match(/\| epoch \d/g) ?? [];
  const wrapped = drawn.match(/\x1b7\x1b\[24;1H\x1b\[2Kcarbontracker [^\n\x1b]*\x1b8/g) ?? [];
  assert.ok(draws.length >= 2);
  assert.equal(wrapped.length, draws.length);
  const quiet = underPty([
    "--no-live",
    "--sim-cpu",
    "X",
    "--sim-cpu-tdp",
    "100",
    "--log_dir",
    logDir,
    "node",
    "-e",
    child,
  ]);
  assert.match(quiet, /line 3/);
  assert.doesNotMatch(quiet, /\x1b\[1;\d+r|\| epoch \d/);
});

test("a GPU whose energy counter is read only at boundaries shows the power it samples, not a standstill", () => {
  // The counter stands still; power is 300 W. Between boundaries samples read power only.
  const fake = createFakeNvml({ gpus: [{ ...FAKE_A100, powerMw: 300_000 }] });
  try {
    const drawn = underPty(
      [
        "--components",
        "gpu",
        "--log_dir",
        join(tempDir(), "logs"),
        "node",
        "-e",
        "setTimeout(() => {}, 3500)",
      ],
      { CARBONTRACKER_NVML_LIBRARY: fake.library, FAKE_NVML_CONFIG: process.env.FAKE_NVML_CONFIG as string },
    );
    const shown = [...drawn.matchAll(/carbontracker 0:00:0\d \| GPU (\d+\.\d) W \|/g)].map((m) => m[1]);
    // The first draw may come before the first sample (0.0 W); the later ones follow the samples.
    assert.ok(shown.length >= 3, drawn);
    assert.deepEqual(shown.slice(-2), ["300.0", "300.0"]);
  } finally {
    fake.cleanup();
  }
});
