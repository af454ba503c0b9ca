// `carbontracker plan` against a loopback GB National Grid ESO answering its 48 h forecast.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDuration, runPlanCommand } from "../../src/cli/plan-command.js";
import { startLoopbackServer } from "../intensity/loopback-server.js";

const HALF_HOUR = 30 * 60 * 1000;
const NOW = Date.parse("2026-11-28T12:00:00Z");

function forecast48h(from: number) {
  const data = [];
  for (let i = 0; i < 96; i++) {
    const start = from + i * HALF_HOUR;
    // 200 g/kWh except a clean stretch 6 h to 9 h from now.
    const g = i >= 12 && i < 18 ? 80 : 200;
    data.push({
      from: new Date(start).toISOString().slice(0, 16) + "Z",
      to: new Date(start + HALF_HOUR).toISOString().slice(0, 16) + "Z",
      intensity: { forecast: g, actual: null, index: "moderate" },
    });
  }
  return { data };
}

test("durations: 3h, 90m, 1h30m, plain hours; nonsense refused", () => {
  assert.equal(parseDuration("3h"), 10800);
  assert.equal(parseDuration("90m"), 5400);
  assert.equal(parseDuration("1h30m"), 5400);
  assert.equal(parseDuration("2.5"), 9000);
  assert.throws(() => parseDuration("soon"), /duration such as 3h/);
});

test("the best start in the forecast window and what it saves", async () => {
  const server = await startLoopbackServer((r) =>
    r.url.pathname.endsWith("/fw48h") ? { body: forecast48h(NOW) } : undefined,
  );
  let out = "";
  try {
    const code = await runPlanCommand(
      ["--duration", "3h", "--within", "24h", "--country", "GB", "--energy-kwh", "10"],
      { stdout: (s) => (out += s), stderr: (s) => (out += s) },
      { CARBONTRACKER_CARBONINTENSITY_UK_URL: server.url, CARBONTRACKER_CACHE_DIR: "/nonexistent-cache" },
      () => NOW,
    );
    assert.equal(code, 0, out);
  } finally {
    await server.close();
  }
  assert.match(out, /Forecast: carbonintensity-uk/);
  assert.match(out, /Start now: 200\.00 gCO2eq\/kWh on average over 3:00:00/);
  assert.match(out, /Best start within 24:00:00: .* \(in 6:00:00\), 80\.00 gCO2eq\/kWh on average/);
  assert.match(out, /saves 60\.0 % of the emissions: 1200\.0 g CO2eq for 10 kWh\./);
});

test("no forecast for the place: says so, exit 1; bad duration: exit 2", async () => {
  let out = "";
  const io = { stdout: (s: string) => (out += s), stderr: (s: string) => (out += s) };
  assert.equal(await runPlanCommand(["--duration", "2h", "--country", "FR"], io, {}), 1);
  assert.match(out, /No carbon-intensity forecast covers the next 2:00:00/);
  assert.ok(!out.includes("offline"), "online, offline mode is not the reason");
  assert.equal(await runPlanCommand(["--duration", "later"], io, {}), 2);
  assert.match(out, /carbontracker plan: .*--duration.*duration such as 3h/);
});

test("offline, plan says that offline mode is why no forecast was found, and what to unset", async () => {
  let out = "";
  const io = { stdout: (s: string) => (out += s), stderr: (s: string) => (out += s) };
  // GB has a forecast service: offline, it is not asked.
  assert.equal(
    await runPlanCommand(["--duration", "2h", "--country", "GB"], io, { CARBONTRACKER_OFFLINE: "1" }),
    1,
  );
  assert.match(
    out,
    /^No carbon-intensity forecast covers the next 2:00:00 for GB: offline mode \(CARBONTRACKER_OFFLINE=1\) asked no service, .*Unset CARBONTRACKER_OFFLINE to ask them\.\n$/,
  );
});
