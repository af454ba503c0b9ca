// A folder big enough to take a while to read (2,000 generated runs): `carbontracker dashboard`
// serves its Runs and Totals pages before every log is read, saying how far it has come (a
// progress line that moves on the event stream, totals and sentence marked partial), and once
// indexing is done the rows are those of `--parse --json`. The time it takes is the benchmark's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { get } from "node:http";
import type { RunRecord } from "../../src/reports/run-table.js";
import { runCli, tempDir } from "../helpers/cli-process.js";
import { artifact, browserSkip, openBrowser, READ, startDashboard } from "./dashboard-kit.js";
import { writeFolder } from "./generated-runs.js";

const RUNS = 2000;

let folder: string | undefined;
/** The generated folder, written once for the tests of this file. */
function bigFolder(): string {
  if (folder === undefined) {
    folder = tempDir("ct-dash-scale-");
    writeFolder(folder, RUNS);
  }
  return folder;
}

function fetchPage(url: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    get(url, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => done({ status: res.statusCode ?? 0, body }));
    }).on("error", fail);
  });
}

interface Progress {
  read: number;
  total: number;
  done: boolean;
  runs: number;
}

/** The `index` events of the stream until the one that says every log is read. */
function progressEvents(url: string): Promise<Progress[]> {
  return new Promise((done, fail) => {
    get(new URL("/events", url).href, (res) => {
      const seen: Progress[] = [];
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^event: index\ndata: (.*)$/m.exec(message)?.[1];
          if (data === undefined) continue;
          seen.push(JSON.parse(data) as Progress);
          if (seen.at(-1)?.done) {
            res.destroy();
            done(seen);
          }
        }
      });
    }).on("error", fail);
  });
}

/** Run id → [energy, CO2eq] as the table's cells hold them (exact values in data-value). */
function rowFigures(body: string): Map<string, [string, string]> {
  const rows = new Map<string, [string, string]>();
  for (const row of body.split("<tr data-run=").slice(1)) {
    const id = /data-run-id="([^"]*)"/.exec(row)?.[1] as string;
    const value = (col: string) => new RegExp(`data-col="${col}" data-value="([^"]*)"`).exec(row)?.[1] ?? "";
    rows.set(id, [value("energy"), value("co2eq")]);
  }
  return rows;
}

test(`${RUNS} runs: pages served before indexing completes, then the rows of --parse --json`, async () => {
  const dir = bigFolder();
  const dashboard = await startDashboard(["--log-dir", dir, "--listen", "127.0.0.1:0"], undefined, {
    indexed: false,
  });
  try {
    const [events, runs, totals] = await Promise.all([
      progressEvents(dashboard.url),
      fetchPage(dashboard.url),
      fetchPage(new URL("/totals?by=job", dashboard.url).href),
    ]);
    assert.equal(runs.status, 200);
    const line = /<p class="indexing" id="indexing" role="status">([^<]*)<\/p>/.exec(runs.body)?.[1];
    assert.match(line ?? "", /^Indexing logs: (listing the folders|[\d,]+ of 2,000 read)\u2026$/);
    assert.match(runs.body, /<span id="total">\d+<\/span> read so far/);
    assert.equal(totals.status, 200);
    assert.match(totals.body, /id="partial">Partial: these totals and the sentence count only the/);
    assert.match(totals.body, /For your paper \(partial: not every log is read yet\)/);
    assert.match(totals.body, /id="copy-sentence" disabled/);

    // The progress line moves on: batches on the event stream, then one that says it is done.
    const last = events.at(-1) as Progress;
    assert.deepEqual(last, { read: RUNS, total: RUNS, done: true, runs: RUNS });
    const during = events.filter((e) => !e.done && e.total === RUNS);
    assert.ok(
      during.some((e) => e.read > 0 && e.read < RUNS && e.runs === e.read),
      `progress while indexing: ${JSON.stringify(events.slice(0, 5))}`,
    );
    assert.ok(
      during.every((e, i) => i === 0 || e.read >= (during[i - 1] as Progress).read),
      "the count only grows",
    );

    await new Promise<void>((done) => {
      const look = () => (READ.test(dashboard.stdout()) ? done() : setTimeout(look, 50));
      look();
    });
    assert.equal(READ.exec(dashboard.stdout())?.[1], String(RUNS));
    const parsed = JSON.parse((await runCli(["--parse", dir, "--json"])).stdout) as RunRecord[];
    assert.equal(parsed.length, RUNS);
    const shown = new Map<string, [string, string]>();
    for (let page = 0; page < RUNS / 100; page++) {
      const { body } = await fetchPage(new URL(`/?page=${page}`, dashboard.url).href);
      assert.doesNotMatch(body, /Indexing logs/, "no progress line once every log is read");
      for (const [id, figures] of rowFigures(body)) shown.set(id, figures);
    }
    assert.equal(shown.size, RUNS);
    for (const record of parsed) {
      assert.deepEqual(
        shown.get(record.run_id),
        [String(record.energy_kwh), String(record.co2eq_g)],
        `row of ${record.run_id}`,
      );
    }
    const after = await fetchPage(new URL("/totals?by=job", dashboard.url).href);
    assert.doesNotMatch(after.body, /Partial|disabled/);
  } finally {
    const stopped = await dashboard.stop();
    assert.equal(stopped.code, 0, stopped.stderr);
  }
});

test(
  "in a browser: the progress line while indexing, then a notice to reload",
  { skip: browserSkip() },
  async () => {
    const dir = bigFolder();
    const { context, close } = await openBrowser();
    const dashboard = await startDashboard(["--log-dir", dir, "--listen", "127.0.0.1:0"], undefined, {
      indexed: false,
    });
    try {
      const page = await context.newPage();
      await page.goto(dashboard.url, { waitUntil: "domcontentloaded" });
      const served = (await page.textContent("#indexing")) ?? "";
      assert.match(served, /^Indexing logs: (listing the folders|[\d,]+ of 2,000 read)\u2026$/);
      await page.screenshot({ path: artifact("runs-indexing.png") });
      // The stream hides the line and shows the notice once every log is read.
      await page.waitForSelector("#indexed", { state: "visible", timeout: 30_000 });
      assert.equal(await page.isVisible("#indexing"), false);
      assert.match((await page.textContent("#indexed")) ?? "", /Every log is read: reload to see all runs\./);
      await Promise.all([page.waitForLoadState("domcontentloaded"), page.click("#indexed a")]);
      assert.equal(await page.$("#indexing"), null, "no progress line after the reload");
      assert.match((await page.textContent("#summary")) ?? "", /of 2000 run\(s\) matching \(2000 in all\)/);
      await page.screenshot({ path: artifact("runs-indexed.png") });
    } finally {
      await close();
      const stopped = await dashboard.stop();
      assert.equal(stopped.code, 0, stopped.stderr);
    }
  },
);
