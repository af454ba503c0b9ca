// An Electricity Maps key given any way (--api_keys, ELECTRICITYMAPS_API_KEY, the library's
// apiKeys) reaches the service's request header and nowhere else: not stdout, stderr, the text
// logs, the JSONL, the location cache, a rendered report, or an error message, even when the
// service refuses it (401) and quotes it back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { CarbonTracker } from "../../src/index.js";
import { cliEnv, runCli, tempDir } from "../helpers/cli-process.js";
import { loopbackEnv, startLoopbackServer } from "../intensity/loopback-server.js";
import { allText, SIM } from "./fault-kit.js";

const KEY = "em-SECRET-4f9a2c7e1b";

async function refusingService() {
  return startLoopbackServer(() => ({
    status: 401,
    body: { error: `Invalid auth-token ${KEY} for this zone` },
  }));
}

for (const way of ["--api_keys", "ELECTRICITYMAPS_API_KEY"] as const) {
  test(`a key given as ${way}, refused with 401: it is sent, and never written anywhere`, async () => {
    const service = await refusingService();
    const dir = tempDir();
    try {
      const logDir = join(dir, "logs");
      const keyArgs = way === "--api_keys" ? ["--api_keys", JSON.stringify({ electricitymaps: KEY })] : [];
      const env = cliEnv({
        ...loopbackEnv(service.url),
        CARBONTRACKER_OFFLINE: "0",
        CARBONTRACKER_CACHE_DIR: join(dir, "cache"),
        ...(way === "ELECTRICITYMAPS_API_KEY" ? { ELECTRICITYMAPS_API_KEY: KEY } : {}),
      });
      const run = await runCli(
        ["--log_dir", logDir, "--zone", "DK-DK2", "--verbose", "2", ...keyArgs, ...SIM, "sleep", "1"],
        { env },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.ok(
        service.requests.some((r) => Object.values(r.headers).includes(KEY)),
        "the key went to the service",
      );
      const log = readdirSync(logDir).find((n) => n.endsWith("_carbontracker.log")) as string;
      const report = await runCli(["--report", join(logDir, log), "--output", join(dir, "report.html")], {
        env,
      });
      assert.equal(report.code, 0, report.stderr);
      const everything = [run.stdout, run.stderr, report.stdout, report.stderr, allText(dir)].join("\n");
      assert.ok(everything.includes("_carbontracker.jsonl"), "the grep saw the logs");
      assert.ok(!everything.includes(KEY), "the key was written somewhere");
    } finally {
      await service.close();
    }
  });
}

test("a key given as apiKeys to the library, refused with 401, is written nowhere", async () => {
  const service = await refusingService();
  const dir = tempDir();
  let out = "";
  try {
    const tracker = new CarbonTracker({
      epochs: 1,
      logDir: dir,
      stdout: (s) => void (out += s),
      env: { ...loopbackEnv(service.url), CARBONTRACKER_CACHE_DIR: join(dir, "cache") },
      apiKeys: { electricitymaps: KEY },
      zone: "DK-DK2",
      verbose: 2,
      simCpu: "c",
      simCpuTdp: 10,
    });
    const deadline = Date.now() + 10_000;
    while (service.requests.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300)); // let the refusal be handled and reported
    tracker.epochStart();
    await tracker.epochEnd();
    assert.ok(service.requests.length > 0, "the service was asked");
    const everything = out + allText(dir);
    assert.ok(everything.includes('"apiKeys":["electricitymaps"]'));
    assert.ok(!everything.includes(KEY));
  } finally {
    await service.close();
  }
});

test("a key inside a malformed --api_keys value never reaches the error message", async () => {
  for (const value of [`{"electricitymaps": ["${KEY}"]}`, `{"electricitymaps": "${KEY}"`, `["${KEY}"]`]) {
    const run = await runCli(["--api_keys", value, "true"]);
    assert.equal(run.code, 2, value);
    assert.ok(!run.stderr.includes(KEY) && !run.stdout.includes(KEY), run.stderr);
  }
});
