import { test } from "node:test";
import assert from "node:assert/strict";
import { openRapl } from "../../../src/hardware/rapl/rapl-backend.js";
import { singlePackageLayout, type PowerProfile } from "../../helpers/fake-powercap.js";
import { closeTo, readerOf, sampleWindow, withRunningTree } from "./sample-window.js";

// Counters are exact: what the reader reports must equal what the fake counters moved by, to the
// microjoule (one µJ per wrap aside). Timing noise changes how much energy, never the agreement.
const EXACT = 1e-6;
// The fake counters against the profile they follow: only a sanity check on the driver, loose
// enough for a loaded 2-core machine where the 10 ms ticks run late.
const PROFILE = 0.25;

const profiles: [string, PowerProfile, number][] = [
  ["constant 45 W", { kind: "constant", watts: 45 }, 200],
  [
    "square wave 120 W for 0.3 s / 20 W for 0.7 s, read every 1 s",
    { kind: "square", highW: 120, lowW: 20, highS: 0.3, lowS: 0.7 },
    1000,
  ],
  [
    "random bursts (seed 7), read every 1 s",
    { kind: "bursts", seed: 7, baseW: 15, burstW: 140, meanBurstS: 0.12, meanGapS: 0.35 },
    1000,
  ],
];

for (const [label, profile, everyMs] of profiles) {
  test(`${label}: package energy equals the injected energy, core and uncore not added`, async () => {
    await withRunningTree(singlePackageLayout(profile), async (fake) => {
      const reader = readerOf(openRapl(fake.root));
      const window = await sampleWindow(fake, reader, 2500, everyMs);
      const injected = fake.injectedJ("intel-rapl:0", window.t0, window.t1);
      const measured = window.energyJ["cpu:0"]!;
      assert.ok(injected > 10, `injected ${injected} J`);
      assert.ok(closeTo(measured, injected, EXACT), `measured ${measured} J, injected ${injected} J`);
      const fromProfile = fake.profileJ("intel-rapl:0", window.t0, window.t1);
      assert.ok(closeTo(measured, fromProfile, PROFILE), `measured ${measured} J, profile ${fromProfile} J`);
    });
  });
}

test("a counter wrap during the run is added back, and reads come often enough to see every wrap", async () => {
  const rangeUj = 60_000_000; // 60 J: at 30 W the counter wraps every 2 s
  const zones = singlePackageLayout(
    { kind: "constant", watts: 30 },
    {
      maxEnergyRangeUj: rangeUj,
      startUj: 55_000_000,
      constraints: [{ name: "long_term", powerLimitUw: 30_000_000, maxPowerUw: 30_000_000 }],
    },
  );
  await withRunningTree(zones, async (fake) => {
    const reader = readerOf(openRapl(fake.root));
    // 60 J / (2 × 30 W) = 1 s to a wrap at the highest plausible power; half of it is read interval.
    assert.equal(Math.round(reader.maxReadIntervalMs?.() ?? 0), 500);
    const window = await sampleWindow(fake, reader, 4500, reader.maxReadIntervalMs?.() ?? 500);
    const startUj = 55_000_000;
    const wraps =
      Math.floor((startUj + fake.history.counterUj("intel-rapl:0", window.t1)) / (rangeUj + 1)) -
      Math.floor((startUj + fake.history.counterUj("intel-rapl:0", window.t0)) / (rangeUj + 1));
    assert.ok(wraps >= 2, `expected at least 2 wraps, saw ${wraps}`);
    const injected = fake.injectedJ("intel-rapl:0", window.t0, window.t1);
    const measured = window.energyJ["cpu:0"]!;
    assert.ok(
      Math.abs(measured - injected) <= wraps * 1e-6 + 1e-9,
      `measured ${measured} J, injected ${injected} J`,
    );
  });
});
