// Every intensity and location service down, slow, answering garbage, 429 for ever, or an
// unresolvable host: the run ends as fast and with the same figures as an offline run; only the
// warnings naming the failed source differ. Servers are on 127.0.0.1; the DNS case uses the
// reserved .invalid TLD, which never resolves (nothing leaves the machine).
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { cliEnv, tempDir } from "../helpers/cli-process.js";
import { loopbackEnv, startLoopbackServer, type FakeAnswer } from "../intensity/loopback-server.js";
import { runFilesIn, SIM, startGroup } from "./fault-kit.js";

const KEY = "em-SECRET-net-0123456789";

/** What an offline-equal run must share: the CLI's lines (stderr) without warnings (digits masked) and its intensities. */
function comparable(stdout: string, dir: string) {
  const files = runFilesIn(dir);
  return {
    stdout: stdout
      .split("\n")
      .filter((line) => !line.includes("WARNING"))
      .join("\n")
      .replace(/\d/g, "#"),
    intensities: files.records
      .filter((r) => r.type === "intensity" && r.forecast === false)
      .map((r) => [r.g_per_kwh, r.source, r.location, r.year]),
    actual: (files.records.find((r) => r.type === "actual") as { g_per_kwh: number }).g_per_kwh,
    warnings: stdout.split("\n").filter((line) => line.includes("WARNING")),
  };
}

async function run(place: string[], env: Record<string, string>) {
  const dir = tempDir();
  const r = startGroup(["--log_dir", dir, ...SIM, ...place, "sleep", "1"], {
    env: cliEnv({ CARBONTRACKER_CACHE_DIR: join(dir, "cache"), ...env }),
  });
  try {
    const { code, afterMs } = await r.exited;
    await r.closed;
    assert.equal(code, 0, r.err());
    return { ...comparable(r.err(), dir), afterMs, childStdout: r.out() };
  } finally {
    r.killGroup();
  }
}

interface Service {
  env: Record<string, string>;
  close: () => Promise<void>;
  /** Requests the service saw (-1 where there is no server). */
  asked: () => number;
}

const MODES: Record<string, () => Promise<Service>> = {
  down: async () => ({ env: loopbackEnv("http://127.0.0.1:9"), close: async () => {}, asked: () => -1 }),
  dns: async () => ({
    env: loopbackEnv("http://nonexistent.invalid"),
    close: async () => {},
    asked: () => -1,
  }),
  slow: () => serve(() => ({ status: 200, body: {}, delayMs: 20_000 })),
  garbage: () => serve(() => ({ status: 200, body: "<html>\u0000garbage{[" })),
  "429 for ever": () => serve(() => ({ status: 429, body: "slow down", headers: { "retry-after": "3600" } })),
};

async function serve(answer: () => FakeAnswer) {
  const server = await startLoopbackServer(answer);
  return { env: loopbackEnv(server.url), close: () => server.close(), asked: () => server.requests.length };
}

for (const place of [[], ["--country", "DK"], ["--country", "GB"]]) {
  test(`every source ${Object.keys(MODES).join(", ")}${place.length ? ` (${place.join(" ")})` : " (no location)"}: the offline run's figures, no wait`, async () => {
    const offline = await run(place, { CARBONTRACKER_OFFLINE: "1" });
    const services = await Promise.all(Object.values(MODES).map((start) => start()));
    try {
      const runs = await Promise.all(
        services.map((s) =>
          run(place, { ...s.env, CARBONTRACKER_OFFLINE: "0", ELECTRICITYMAPS_API_KEY: KEY }),
        ),
      );
      for (const [i, mode] of Object.keys(MODES).entries()) {
        const online = runs[i] as Awaited<ReturnType<typeof run>>;
        assert.deepEqual(online.stdout, offline.stdout, mode);
        assert.deepEqual(online.intensities, offline.intensities, mode);
        assert.ok(Math.abs(online.actual - offline.actual) < 1e-9 * offline.actual, mode);
        assert.equal(online.childStdout, "", mode);
        // A 1 s child; slow services (20 s answers) must not hold the exit (bound for a loaded machine).
        assert.ok(online.afterMs < 12_000, `${mode}: exited after ${online.afterMs} ms`);
        assert.ok(!JSON.stringify(online).includes(KEY), `${mode}: key printed`);
        assert.notEqual(services[i]?.asked(), 0, `${mode}: the failing service was never asked`);
      }
    } finally {
      await Promise.all(services.map((s) => s.close()));
    }
  });
}
