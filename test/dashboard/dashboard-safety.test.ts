// What the dashboard refuses: files outside its log folders whatever the path says (`..`,
// `%2e%2e`, encoded slashes, absolute paths, symlinks pointing out), requests without the token
// on a non-loopback address, and loopback requests naming another host (DNS rebinding).
import { test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { copyFileSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RunIndex } from "../../src/dashboard/run-index.js";
import { startDashboardServer } from "../../src/dashboard/server.js";
import { InvalidOptionError } from "../../src/errors/index.js";
import { tempDir } from "../helpers/cli-process.js";
import { copyOriginalLogs, startDashboard } from "./dashboard-kit.js";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A GET with the path sent exactly as written (no client-side normalisation). */
function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: "GET", headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const SECRET = "TOP-SECRET-7f3a";

function logFolderWithSecretsBeside(): { dir: string; outside: string; log: string } {
  const root = tempDir("ct-dash-safety-");
  const dir = join(root, "logs");
  const outside = join(root, "private");
  mkdirSync(dir);
  mkdirSync(outside);
  copyOriginalLogs(dir);
  // A secret beside the folder, and a log-looking file outside it that a symlink points to.
  writeFileSync(join(outside, "secret.txt"), `${SECRET}\n`);
  const log = readdirSync(dir).find((n) => n.endsWith("_carbontracker.log")) as string;
  copyFileSync(join(dir, log), join(outside, "12345.000001_2026-01-01T000000Z_carbontracker.log"));
  writeFileSync(
    join(outside, "12345.000001_2026-01-01T000000Z_carbontracker_output.log"),
    `2026-01-01 00:00:00 - CarbonTracker: ${SECRET}\n`,
  );
  for (const name of [
    "12345.000001_2026-01-01T000000Z_carbontracker.log",
    "12345.000001_2026-01-01T000000Z_carbontracker_output.log",
  ])
    symlinkSync(join(outside, name), join(dir, name));
  symlinkSync(
    join(outside, "secret.txt"),
    join(dir, "54321.000001_2026-01-01T000000Z_carbontracker_err.log"),
  );
  writeFileSync(join(dir, "notes.txt"), "not a log\n");
  return { dir, outside, log };
}

test("serves only log files inside the log folder: .., %2e%2e, encoded slashes, absolute paths and symlinks fail", async () => {
  const { dir, outside, log } = logFolderWithSecretsBeside();
  const dashboard = await startDashboard(["--log-dir", dir, "--listen", "127.0.0.1:0"]);
  try {
    const own = await get(dashboard.url, `/files/0/${log}`);
    assert.equal(own.status, 200, "a log file of the folder is served");
    assert.match(own.body, /carbontracker version/);
    const attempts = [
      "/files/0/../private/secret.txt",
      "/files/0/../../../../../../etc/passwd",
      "/files/0/..%2F..%2Fprivate%2Fsecret.txt",
      "/files/0/%2e%2e/private/secret.txt",
      "/files/0/%2e%2e%2fprivate%2fsecret.txt",
      "/files/0/%252e%252e%252fprivate%252fsecret.txt",
      "/files/0/..%5Cprivate%5Csecret.txt",
      `/files/0/${encodeURIComponent(join(outside, "secret.txt"))}`,
      `/files/0/${join(outside, "secret.txt")}`,
      "/files/0//etc/passwd",
      "/files/0/%2Fetc%2Fpasswd",
      "/files/0/12345.000001_2026-01-01T000000Z_carbontracker.log",
      "/files/0/12345.000001_2026-01-01T000000Z_carbontracker_output.log",
      "/files/0/54321.000001_2026-01-01T000000Z_carbontracker_err.log",
      "/files/0/notes.txt",
      "/files/1/" + log,
      "/files/-1/" + log,
      "/runs/..%2F..%2Fprivate%2Fsecret.txt",
      "/runs/../../private/secret.txt/report.html",
      "/assets/../../private/secret.txt",
      `http://127.0.0.1/files/0/${log}`,
      "/%2e%2e/%2e%2e/etc/passwd",
    ];
    for (const path of attempts) {
      const answer = await get(dashboard.url, path);
      assert.ok(answer.status >= 400 && answer.status < 500, `${path}: ${answer.status}`);
      assert.ok(!answer.body.includes(SECRET) && !answer.body.includes("root:x:0"), `${path} leaked a file`);
    }
    // The symlinked run is not read, its content shown nowhere; the page says why.
    const runs = await get(dashboard.url, "/");
    assert.equal(runs.status, 200);
    assert.ok(!runs.body.includes(SECRET));
    assert.ok(!runs.body.includes('data-run-id="12345.000001_2026-01-01T000000Z"'));
    assert.match(runs.body, /symbolic link to a file outside the log folder: not read by the dashboard/);
    // Planted while it runs, beside a run's own files (the parser pairs files by run id): still not read.
    const planted = log.replace(/_carbontracker\.log$/, "_carbontracker_err.log");
    rmSync(join(dir, planted));
    symlinkSync(join(outside, "secret.txt"), join(dir, planted));
    const deadline = Date.now() + 10_000;
    let page = "";
    while (Date.now() < deadline && !page.includes(planted)) {
      await new Promise((done) => setTimeout(done, 200));
      page = (await get(dashboard.url, "/")).body;
    }
    assert.ok(
      page.includes(`${planted}</code>: symbolic link to a file outside`),
      "the planted link is named",
    );
    assert.ok(!page.includes(SECRET));
    assert.equal((await get(dashboard.url, `/files/0/${planted}`)).status, 404);
  } finally {
    await dashboard.stop();
  }
});

test("on a non-loopback address every request needs the token printed once at start", async () => {
  const dir = tempDir("ct-dash-token-");
  copyOriginalLogs(dir);
  const dashboard = await startDashboard(["--log-dir", dir, "--listen", "0.0.0.0:0"]);
  try {
    const token = new URL(dashboard.url).searchParams.get("ct_token") as string;
    assert.ok(token && token.length >= 32, `a token in the printed URL: ${dashboard.url}`);
    assert.equal(dashboard.stdout().split(token).length - 1, 1, "the token is printed once");
    const base = `http://127.0.0.1:${new URL(dashboard.url).port}`;
    const log = readdirSync(dir).find((n) => n.endsWith("_carbontracker.log")) as string;
    for (const path of ["/", "/live", "/totals", "/events", `/files/0/${log}`, "/assets/dashboard.js"]) {
      const answer = await get(base, path);
      assert.equal(answer.status, 401, `${path} without the token`);
      assert.match(answer.body, /needs its token/);
      assert.equal((await get(base, `${path}?ct_token=wrong`)).status, 401, `${path} with a wrong token`);
    }
    const first = await get(base, `/totals?by=user&ct_token=${token}`);
    assert.equal(first.status, 303, "the token in the URL is traded for a cookie");
    assert.equal(first.headers.location, "/totals?by=user");
    const cookie = String(first.headers["set-cookie"]).split(";")[0] as string;
    assert.match(String(first.headers["set-cookie"]), /HttpOnly; SameSite=Strict/);
    const page = await get(base, "/totals?by=user", { cookie });
    assert.equal(page.status, 200);
    assert.match(page.body, /For your paper/);
    assert.equal((await get(base, `/files/0/${log}`, { authorization: `Bearer ${token}` })).status, 200);
  } finally {
    await dashboard.stop();
  }
});

test("the server itself refuses a non-loopback address without a token, before it listens", async () => {
  const dir = tempDir("ct-dash-no-token-");
  copyOriginalLogs(dir);
  const index = await RunIndex.open([dir], { watch: "off" });
  try {
    for (const host of ["0.0.0.0", "192.0.2.1", "::"]) {
      await assert.rejects(
        startDashboardServer({ index, host, port: 0 }),
        (error: unknown) =>
          error instanceof InvalidOptionError &&
          /reachable from other machines: .* needs a token/.test(error.message),
        host,
      );
    }
    const loopback = await startDashboardServer({ index, host: "127.0.0.1", port: 0 });
    try {
      assert.equal((await get(loopback.openUrl, "/")).status, 200, "loopback needs no token");
    } finally {
      await loopback.close();
    }
  } finally {
    index.close();
  }
});

/** The headers of the answer to GET `path` (the body is not waited for: /events never ends). */
function headersOf(base: string, path: string): Promise<Record<string, string | string[] | undefined>> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const req = request({ host: url.hostname, port: url.port, path: url.pathname }, (res) => {
      resolve(res.headers);
      res.destroy();
    });
    req.on("error", reject);
    req.end();
  });
}

test("every answer carries the security headers, the event stream and log files too", async () => {
  const dir = tempDir("ct-dash-headers-");
  copyOriginalLogs(dir);
  const dashboard = await startDashboard(["--log-dir", dir, "--listen", ":0"]);
  try {
    const log = readdirSync(dir).find((n) => n.endsWith("_carbontracker.log")) as string;
    for (const path of [
      "/",
      "/live",
      "/totals",
      "/events",
      `/files/0/${log}`,
      "/assets/dashboard.js",
      "/nothing",
    ]) {
      const headers = await headersOf(dashboard.url, path);
      assert.match(String(headers["content-security-policy"]), /default-src 'none'/, path);
      assert.equal(headers["x-content-type-options"], "nosniff", path);
      assert.equal(headers["cache-control"], "no-store", path);
    }
  } finally {
    await dashboard.stop();
  }
});

test("binds loopback by default and answers only requests that name a loopback host", async () => {
  const dir = tempDir("ct-dash-host-");
  copyOriginalLogs(dir);
  const dashboard = await startDashboard(["--log-dir", dir, "--listen", ":0"]);
  try {
    assert.match(dashboard.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.ok(!dashboard.url.includes("ct_token"), "no token on loopback");
    assert.equal((await get(dashboard.url, "/")).status, 200);
    const port = new URL(dashboard.url).port;
    assert.equal((await get(dashboard.url, "/", { host: `localhost:${port}` })).status, 200);
    const rebound = await get(dashboard.url, "/", { host: `attacker.example:${port}` });
    assert.equal(rebound.status, 403, "a page of another site resolving to 127.0.0.1 gets nothing");
  } finally {
    await dashboard.stop();
  }
});

test("damaged and hostile log files are shown as such and never stop the server", async () => {
  const dir = tempDir("ct-dash-damaged-");
  const jsonl = (id: string, lines: string[]) =>
    writeFileSync(join(dir, `${id}_carbontracker.jsonl`), `${lines.join("\n")}\n`);
  jsonl("1.000001_2026-01-01T000000Z", [
    '{"type":"start","t":"x","devices":"nope","pue":"a","slurm":5,"command":"rm -rf"}',
    '{"type":"sample","t":1,"component":5,"device":null,"energy_j":"7"}',
    '{"type":"epoch","epoch":1,"devices":7,"energy_j":5,"duration_s":"a"}',
    "[1,2]",
    "null",
  ]);
  jsonl("2.000001_2026-01-01T000000Z", [
    '{"type":"start","t":1e400,"devices":[{"component":"cpu"}]}',
    '{"type":"sample","t":5,"component":"cpu","device":"a","energy_j":1e308,"power_w":"x"}',
  ]);
  writeFileSync(
    join(dir, "3.000001_2026-01-01T000000Z_carbontracker.log"),
    Buffer.from([0, 255, 1, 254, 10, 0]),
  );
  writeFileSync(
    join(dir, "3.000001_2026-01-01T000000Z_carbontracker_output.log"),
    "<script>alert(1)</script>\n",
  );
  const dashboard = await startDashboard(["--log-dir", dir, "--listen", "127.0.0.1:0"]);
  try {
    const runs = await get(dashboard.url, "/");
    assert.equal(runs.status, 200);
    assert.ok(!runs.body.includes("<script>alert"), "log text is escaped");
    const keys = [...runs.body.matchAll(/data-run="([0-9a-f]+)"/g)].map((m) => m[1] as string);
    assert.ok(keys.length >= 2, `the damaged runs are listed: ${keys.length}`);
    for (const key of keys) {
      const page = await get(dashboard.url, `/runs/${key}`);
      assert.equal(page.status, 200, `run page of ${key}`);
      assert.ok(/No charts: |id="charts"/.test(page.body));
      for (const report of ["report.html", "report.pdf"]) {
        const answer = await get(dashboard.url, `/runs/${key}/${report}`);
        assert.ok(answer.status === 200 || answer.status === 422, `${report} of ${key}: ${answer.status}`);
      }
    }
    const damaged = await get(dashboard.url, `/runs/${keys[0]}`);
    assert.match(damaged.body, /not JSON|not a record|No charts/);
    for (const path of ["/live", "/totals", "/totals?by=user", "/totals?by=nothing"]) {
      assert.ok((await get(dashboard.url, path)).status < 500, path);
    }
    assert.equal(dashboard.child.exitCode, null, "still serving");
  } finally {
    await dashboard.stop();
  }
});
