// The location and intensity part of `carbontracker doctor`: the configured URLs and whether
// each answers within the time-out (loopback servers), offline mode, and the cached location.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { writeCachedLocation } from "../../src/intensity/location/location-cache.js";
import { doctor, fakeMachine } from "./doctor-kit.js";

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

test("offline: every service listed with its URL, none asked", async () => {
  const m = fakeMachine({ env: { CARBONTRACKER_ELECTRICITYMAPS_URL: "http://127.0.0.1:9/v3" } });
  try {
    const run = await doctor(["--components", "cpu"], m.env);
    const out = run.stdout.split("\n");
    assert.ok(
      out.includes(
        "  [info] geolocation https://ipinfo.io/json: offline (CARBONTRACKER_OFFLINE), not checked",
      ),
    );
    assert.ok(
      out.includes(
        "  [info] electricitymaps http://127.0.0.1:9/v3: offline (CARBONTRACKER_OFFLINE), not checked",
      ),
    );
    assert.ok(out.includes("         no API key set (ELECTRICITYMAPS_API_KEY or --api_keys)"));
  } finally {
    m.cleanup();
  }
});

test("online: one service answers, one refuses, one hangs past the time-out", async () => {
  const answering = createServer((_req, res) => res.writeHead(404).end("not here"));
  const hanging = createServer(() => {
    // Never answers: doctor must give up after --timeout.
  });
  const closed = createServer();
  const [okUrl, slowUrl, closedUrl] = await Promise.all([listen(answering), listen(hanging), listen(closed)]);
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const m = fakeMachine({
    env: {
      CARBONTRACKER_OFFLINE: undefined,
      CARBONTRACKER_GEOLOCATION_URL: `${okUrl}/json`,
      CARBONTRACKER_ELECTRICITYMAPS_URL: `${slowUrl}/v3`,
      CARBONTRACKER_CARBONINTENSITY_UK_URL: closedUrl,
      CARBONTRACKER_ENERGIDATASERVICE_URL: `${okUrl}/dk`,
      ELECTRICITYMAPS_API_KEY: "secret-key-123",
    },
  });
  try {
    // 2 s: long enough for a loopback answer on a loaded 2-core CI machine, short for a test.
    const run = await doctor(["--components", "cpu", "--json", "--timeout", "2"], m.env);
    const services = JSON.parse(run.stdout).services as {
      service: string;
      url: string;
      state: string;
      status?: number;
      detail: string;
      note?: string;
    }[];
    const by = (name: string) => services.find((s) => s.service === name)!;
    assert.equal(by("geolocation").state, "answered");
    assert.equal(by("geolocation").status, 404);
    assert.match(by("geolocation").detail, /^answered HTTP 404 in \d+ ms$/);
    assert.equal(by("electricitymaps").state, "no-answer");
    assert.equal(by("electricitymaps").detail, "no answer within 2 s");
    assert.equal(by("electricitymaps").note, "API key set (ELECTRICITYMAPS_API_KEY)");
    assert.equal(by("carbonintensity-uk").state, "no-answer");
    assert.equal(by("carbonintensity-uk").detail, "no answer: ECONNREFUSED");
    assert.equal(by("energidataservice").url, `${okUrl}/dk`);
    assert.ok(!run.stdout.includes("secret-key-123"), "the key never appears");
  } finally {
    m.cleanup();
    hanging.closeAllConnections();
    answering.close();
    hanging.close();
  }
});

test("the cached location and the override are shown without any lookup", async () => {
  const m = fakeMachine({ env: { CARBONTRACKER_ZONE: "DK-DK2" } });
  try {
    const savedAtMs = Date.UTC(2026, 0, 15, 9, 30, 0);
    writeCachedLocation(
      m.env.CARBONTRACKER_CACHE_DIR as string,
      { country: "DK", description: "Copenhagen, Capital Region, DK", method: "ip" },
      savedAtMs,
    );
    const run = await doctor(["--components", "cpu"], m.env, { now: () => savedAtMs + 3_600_000 });
    const out = run.stdout.split("\n");
    assert.ok(out.includes("  location override: DK-DK2"), run.stdout);
    assert.ok(
      out.includes(
        "  cached location: Copenhagen, Capital Region, DK (found by ip lookup at 2026-01-15T09:30:00.000Z)",
      ),
      run.stdout,
    );
    const stale = await doctor(["--components", "cpu"], m.env, { now: () => savedAtMs + 2 * 86_400_000 });
    assert.ok(
      stale.stdout.includes(
        "  cached location: cache file present but older than a day or unreadable: the next run looks the location up again",
      ),
      stale.stdout,
    );
  } finally {
    m.cleanup();
  }
});
