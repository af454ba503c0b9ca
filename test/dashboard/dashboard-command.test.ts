// `carbontracker dashboard` as a user meets it: its help, one clear line for each bad option
// (an address in use names the address and the --listen fix), and a clean stop on SIGINT and
// SIGTERM even with a browser's event stream open.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { request } from "node:http";
import { runCli, tempDir } from "../helpers/cli-process.js";
import { copyOriginalLogs, startDashboard } from "./dashboard-kit.js";

test("dashboard --help lists the options and the defaults", async () => {
  const run = await runCli(["dashboard", "--help"]);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /^Usage: carbontracker dashboard \[options\]/);
  for (const option of ["--log-dir <dir>", "--listen <host:port>", "127.0.0.1:8787", "token", "--poll"]) {
    assert.ok(run.stdout.includes(option), `help names ${option}`);
  }
});

test("a bad option is one line naming it and the fix, exit 2", async () => {
  const dir = tempDir("ct-dash-cmd-");
  const cases: [string[], RegExp][] = [
    [["--bogus"], /Unknown option '--bogus'.*; see 'carbontracker help dashboard'\.$/],
    [["--log-dir", dir, "--listen", "nonsense"], /--listen must be host:port .*got "nonsense"/],
    [["--log-dir", dir, "--listen", "127.0.0.1:99999"], /--listen must be host:port/],
    [
      ["--log-dir", `${dir}/missing`],
      /--log-dir .*missing: no such folder\. Name the folder your runs log to/,
    ],
  ];
  for (const [args, message] of cases) {
    const run = await runCli(["dashboard", ...args]);
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.equal(run.stderr.split("\n").length, 2, `one line: ${run.stderr}`);
    assert.match(run.stderr.trimEnd(), message);
    assert.equal(run.stdout, "");
  }
});

test("an address in use is one line naming it and the --listen fix", async () => {
  const dir = tempDir("ct-dash-busy-");
  copyOriginalLogs(dir);
  const busy: Server = createServer();
  await new Promise<void>((done) => busy.listen(0, "127.0.0.1", () => done()));
  const port = (busy.address() as { port: number }).port;
  try {
    const run = await runCli(["dashboard", "--log-dir", dir, "--listen", `127.0.0.1:${port}`]);
    assert.equal(run.code, 2);
    const lines = run.stderr.trim().split("\n");
    assert.equal(lines.length, 1, run.stderr);
    assert.match(
      lines[0] as string,
      new RegExp(
        `^carbontracker dashboard: cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use\\. Choose another with --listen`,
      ),
    );
  } finally {
    busy.close();
  }
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  test(`stops cleanly on ${signal} with an event stream open`, async () => {
    const dir = tempDir("ct-dash-stop-");
    copyOriginalLogs(dir);
    const dashboard = await startDashboard(["--log-dir", dir, "--listen", "127.0.0.1:0"]);
    assert.match(dashboard.stdout(), /3 run\(s\) in .* \(read in \d+\.\d\d s\)/);
    const { hostname, port } = new URL(dashboard.url);
    const opened = await new Promise<string>((resolve, reject) => {
      request({ host: hostname, port, path: "/events" }, (res) => {
        res.setEncoding("utf8");
        res.once("data", (chunk: string) => resolve(chunk));
        res.on("error", () => undefined);
      })
        .on("error", reject)
        .end();
    });
    assert.match(opened, /retry: 1000/);
    const started = Date.now();
    const run = await dashboard.stop(signal);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.signal, null);
    assert.match(run.stdout, /carbontracker dashboard: stopped\.\n$/);
    assert.ok(Date.now() - started < 10_000, "it did not wait for the open stream to end");
  });
}
