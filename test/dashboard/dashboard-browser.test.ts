// The dashboard in a real browser (Debian chromium, headless), read the way a person reads it:
// the rows and their figures against `--parse --json`, a filter and a sort, the charts of a run,
// totals against `--parse --by`, the sentence, damaged logs, and a live CLI run whose energy
// grows on the page. Screenshots are kept under test-artifacts/dashboard.
import { after, before, describe, it, test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { formatFigure } from "../../src/reports/group-format.js";
import type { RunRecord } from "../../src/reports/run-table.js";
import { cliEnv, runCli, startCli, tempDir } from "../helpers/cli-process.js";
import {
  artifact,
  browserSkip,
  copyOriginalLogs,
  openBrowser,
  recordRun,
  startDashboard,
  type RunningDashboard,
} from "./dashboard-kit.js";

const skip = browserSkip();

interface Row {
  runId: string;
  cells: Record<string, { text: string; value: string | null }>;
}

// In-page code is written as strings: the tests are type-checked without the DOM library.
const ROWS = `Array.from(document.querySelectorAll("#runs tbody tr")).map((tr) => {
  const cells = {};
  for (const td of tr.querySelectorAll("[data-col]"))
    cells[td.getAttribute("data-col")] = { text: td.textContent.trim(), value: td.getAttribute("data-value") };
  return { runId: tr.getAttribute("data-run-id"), cells };
})`;

async function tableRows(page: Page): Promise<Row[]> {
  return (await page.evaluate(ROWS)) as Row[];
}

/** A figure as the page writes it (the formatting `--parse --by` uses), or a dash. */
const shown = (value: number | null) => (value === null ? "\u2014" : formatFigure(value));
const exact = (value: number | null) => (value === null ? null : String(value));

// Node 20 does not count a skipped suite among the skipped tests: a test says the reason instead.
if (skip) test("dashboard in a browser", { skip }, () => {});
else
  describe("dashboard in a browser", () => {
    let dir: string;
    let dashboard: RunningDashboard;
    let context: BrowserContext;
    let closeBrowser: () => Promise<void>;
    let records: RunRecord[];
    const requested: string[] = [];

    before(async () => {
      dir = tempDir("ct-dash-");
      copyOriginalLogs(dir);
      await Promise.all([
        recordRun(dir, { SLURM_JOB_ID: "101", SLURM_JOB_USER: "alice", SLURMD_NODENAME: "gpu-a01" }),
        recordRun(dir, { SLURM_JOB_ID: "101", SLURM_JOB_USER: "alice", SLURMD_NODENAME: "gpu-a02" }),
        recordRun(dir, { SLURM_JOB_ID: "102", SLURM_JOB_USER: "bob", SLURMD_NODENAME: "gpu-a01" }),
      ]);
      // A run whose JSONL has a damaged line, and a file that holds no record at all.
      const jsonl = readdirSync(dir).find((n) => n.endsWith(".jsonl")) as string;
      const lines = readFileSync(join(dir, jsonl), "utf8").split("\n");
      lines.splice(2, 0, "{this line is damaged");
      writeFileSync(join(dir, "77777.000001_2026-01-02T030405Z_carbontracker.jsonl"), lines.join("\n"));
      writeFileSync(
        join(dir, "88888.000001_2026-01-02T030405Z_carbontracker.jsonl"),
        "\u0000\u0001 garbage\n",
      );
      // --by user adds the file owner as the user of runs outside SLURM, as the dashboard shows it.
      const parsed = await runCli(["--parse", dir, "--json", "--by", "user"]);
      records = (JSON.parse(parsed.stdout) as { runs: RunRecord[] }).runs;
      dashboard = await startDashboard(["--log-dir", dir, "--listen", "127.0.0.1:0"]);
      ({ context, close: closeBrowser } = await openBrowser());
      context.on("request", (request) => requested.push(request.url()));
    });

    after(async () => {
      await closeBrowser?.();
      const stopped = await dashboard?.stop("SIGINT");
      assert.equal(stopped?.code, 0, stopped?.stderr);
    });

    it("lists one row per run, each figure equal to --parse --json", async () => {
      const page = await context.newPage();
      await page.goto(dashboard.url);
      const rows = await tableRows(page);
      await page.screenshot({ path: artifact("runs.png"), fullPage: true });
      assert.equal(rows.length, records.length);
      assert.equal(records.length, 7, "3 original runs, 3 CLI runs, 1 damaged copy");
      for (const record of records) {
        const row = rows.find((r) => r.runId === record.run_id);
        assert.ok(row, `row of ${record.run_id}`);
        const c = row.cells;
        for (const [col, value] of [
          ["energy", record.energy_kwh],
          ["co2eq", record.co2eq_g],
        ] as const) {
          assert.equal(c[col]?.value, exact(value), `${col} of ${record.run_id}`);
          assert.equal(c[col]?.text, shown(value), `${col} shown for ${record.run_id}`);
        }
        assert.equal(c.intensity?.value, exact(record.intensity_g_per_kwh));
        assert.equal(c.duration?.value, exact(record.duration_s));
        assert.equal(c.epochs?.text, record.epochs === null ? "\u2014" : String(record.epochs));
        assert.equal(c.job?.text, record.slurm_job ?? "\u2014");
        assert.equal(c.user?.text, record.user ?? "\u2014");
        assert.equal(c.host?.text, record.host ?? "\u2014");
        assert.match(c.status?.text ?? "", /^(finished|interrupted)$/);
      }
      const cli = rows.filter((r) => r.cells.job?.text !== "\u2014");
      assert.ok(
        cli.every((r) => r.cells.command?.text === "sleep 0.4"),
        "the wrapped command is named",
      );
      // Damaged files: the run with a bad line carries a note; the file with no record is listed.
      const damaged = await page.textContent('tr[data-run-id="77777.000001_2026-01-02T030405Z"] .notes');
      assert.match(damaged ?? "", /\u26a0 \d/);
      const problems = (await page.textContent("#problems")) ?? "";
      assert.match(
        problems,
        /88888\.000001_2026-01-02T030405Z_carbontracker\.jsonl: holds no complete record/,
      );
      await page.close();
    });

    it("narrows the table with a filter and sorts by a column", async () => {
      const page = await context.newPage();
      await page.goto(dashboard.url);
      await page.selectOption("#filter-user", "alice");
      await Promise.all([page.waitForURL(/user=alice/), page.click("#filters button[type=submit]")]);
      let rows = await tableRows(page);
      await page.screenshot({ path: artifact("runs-filtered.png"), fullPage: true });
      const alice = records.filter((r) => r.user === "alice");
      assert.equal(rows.length, alice.length);
      assert.ok(rows.length > 0 && rows.length < records.length);
      assert.ok(rows.every((r) => r.cells.user?.text === "alice"));
      await page.selectOption("#filter-user", "");
      await page.selectOption("#filter-job", "102");
      await Promise.all([page.waitForURL(/job=102/), page.click("#filters button[type=submit]")]);
      rows = await tableRows(page);
      assert.deepEqual(
        rows.map((r) => r.runId),
        records.filter((r) => r.slurm_job === "102").map((r) => r.run_id),
      );
      await page.fill("#filter-from", "2099-01-01");
      await Promise.all([page.waitForURL(/from=2099-01-01/), page.click("#filters button[type=submit]")]);
      assert.equal((await tableRows(page)).length, 0);
      assert.equal(await page.textContent("#matched"), "0");
      await page.goto(dashboard.url);
      await Promise.all([page.waitForURL(/sort=energy/), page.click('th[data-sort="energy"] a')]);
      const energies = (await tableRows(page)).map((r) => Number(r.cells.energy?.value));
      assert.deepEqual(
        energies,
        [...energies].sort((a, b) => a - b),
      );
      await page.close();
    });

    it("draws a run's charts, its provenance and links to its reports", async () => {
      const page = await context.newPage();
      await page.goto(`${dashboard.url}?job=102`);
      await Promise.all([page.waitForURL(/\/runs\//), page.click("#runs tbody tr a")]);
      await page.screenshot({ path: artifact("run-detail.png"), fullPage: true });
      for (const id of ["power", "epoch-energy", "intensity", "predicted-actual"]) {
        assert.ok(await page.isVisible(`#chart-${id}`), `${id} chart shown`);
      }
      const powerPoints = (await page.evaluate(
        `Array.from(document.querySelectorAll("#chart-power polyline")).map((l) => l.getAttribute("points").split(" ").length)`,
      )) as number[];
      assert.ok(
        powerPoints.some((n) => n >= 2),
        "a power line is drawn",
      );
      // The first rect is the picture's white background; the others are bars.
      const bar = (await page.evaluate(
        `Math.max(...Array.from(document.querySelectorAll("#chart-epoch-energy rect")).slice(1).map((r) => Number(r.getAttribute("height"))))`,
      )) as number;
      assert.ok(bar > 10, `an epoch bar is drawn (height ${bar})`);
      assert.match(
        (await page.textContent("#provenance")) ?? "",
        /simulated: simulated power \(not measurements\)/,
      );
      assert.equal(await page.textContent('#facts [data-col="job"]'), "102");
      const html = await page.request.get(
        new URL((await page.getAttribute("#report-html", "href")) as string, page.url()).href,
      );
      assert.equal(html.status(), 200);
      assert.match(await html.text(), /carbontracker report/);
      const pdf = await page.request.get(
        new URL((await page.getAttribute("#report-pdf", "href")) as string, page.url()).href,
      );
      assert.equal(pdf.status(), 200);
      assert.equal((await pdf.body()).subarray(0, 5).toString(), "%PDF-");
      await page.close();
    });

    it("shows the totals of --parse --by job, node and user and its sentence", async () => {
      const page = await context.newPage();
      let sentence = "";
      for (const by of ["job", "node", "user"]) {
        await page.goto(new URL(`/totals?by=${by}`, dashboard.url).href);
        const cells = (await page.evaluate(
          `Array.from(document.querySelectorAll("#totals tbody tr")).map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent.trim()))`,
        )) as string[][];
        const shownLines = cells.map(([key, runs, kwh, kg]) => {
          const label = by === "job" ? (/^\d/.test(key as string) ? `job ${key}` : key) : `${by} ${key}`;
          return `${label}: ${runs} run${runs === "1" ? "" : "s"}, ${kwh} kWh, ${kg} kg CO2eq`;
        });
        const cli = await runCli(["--parse", dir, "--by", by]);
        const [block, last] = cli.stdout.split("\n\n");
        const groupLines = (block as string).split("\n").filter((l) => !l.startsWith(" "));
        assert.deepEqual(shownLines, groupLines, `the table's totals by ${by}`);
        assert.equal(await page.textContent("#totals-lines"), block, `the lines by ${by}, word for word`);
        sentence = (last as string).trim();
        assert.equal((await page.textContent("#sentence"))?.trim(), sentence, `the sentence by ${by}`);
        if (by === "job") await page.screenshot({ path: artifact("totals.png"), fullPage: true });
      }
      const grouped = JSON.parse((await runCli(["--parse", dir, "--by", "job", "--json"])).stdout) as {
        groups: { group: string; runs: number; energy_kwh: number }[];
      };
      await page.goto(new URL("/totals?by=job", dashboard.url).href);
      assert.equal(await page.locator("#totals tbody tr").count(), grouped.groups.length);
      for (const group of grouped.groups) {
        const row = `tr[data-group="${group.group}"]`;
        assert.equal(Number(await page.getAttribute(`${row} [data-col="runs"]`, "data-value")), group.runs);
        assert.equal(await page.textContent(`${row} [data-col="energy"]`), formatFigure(group.energy_kwh));
      }
      await context.grantPermissions(["clipboard-read", "clipboard-write"], {
        origin: new URL(dashboard.url).origin,
      });
      await page.click("#copy-sentence");
      await page.locator("#copy-done", { hasText: "Copied." }).waitFor();
      assert.equal(await page.evaluate("navigator.clipboard.readText()"), sentence);
      await page.close();
    });

    it("shows a live run's energy growing while it runs, then its final figures", async () => {
      const page = await context.newPage();
      const runs = await context.newPage();
      await page.goto(new URL("/live", dashboard.url).href);
      await runs.goto(dashboard.url);
      // Both pages listen to the event stream before the run starts.
      await page.waitForSelector("body[data-stream=open]");
      await runs.waitForSelector("body[data-stream=open]");
      const env = cliEnv({ CARBONTRACKER_LOCK_DIR: tempDir("ct-locks-") });
      const cli = startCli(
        [
          "--log-dir",
          dir,
          "--sim-cpu",
          "X",
          "--sim-cpu-tdp",
          "100",
          "--update-interval",
          "0.2",
          "sleep",
          // Long enough for several batches of samples (10 at 0.2 s: one JSONL write each 2 s)
          // to reach the page on a loaded machine.
          "8",
        ],
        { env },
      );
      const card = page.locator("[data-live-card]").filter({ hasText: "sleep 8" });
      await card.locator(".status-running").waitFor({ timeout: 15_000 });
      const energy = card.locator('[data-field="energy"]');
      const seen: number[] = [Number(await energy.getAttribute("data-value"))];
      // Sample the page while the run goes on: its energy must grow without a reload.
      while (!(await card.locator(".status-finished").count())) {
        await page.waitForTimeout(400);
        seen.push(Number(await energy.getAttribute("data-value")));
        if (seen.length === 4) await page.screenshot({ path: artifact("live.png"), fullPage: true });
        if (seen.length > 100) break;
      }
      const run = await cli.done;
      assert.equal(run.code, 0, run.stderr);
      const growing = seen.filter((v, i) => i > 0 && v > (seen[i - 1] as number)).length;
      assert.ok(growing >= 2, `energy grew on the page at least twice: ${seen.join(", ")}`);
      await card.locator(".status-finished").waitFor({ timeout: 10_000 });
      const final = JSON.parse((await runCli(["--parse", dir, "--json"])).stdout) as RunRecord[];
      // The one JSONL run of 8 s (the original's text-log runs last up to 5 s).
      const record = final.find((r) => r.source === "jsonl" && (r.duration_s ?? 0) > 7.5) as RunRecord;
      // The page's content security policy forbids eval: wait with a selector, not a function.
      await page
        .locator(`[data-live-card] [data-field="energy"][data-value="${record.energy_kwh}"]`)
        .first()
        .waitFor({ timeout: 10_000 });
      assert.equal(
        await energy.getAttribute("data-value"),
        String(record.energy_kwh),
        "the final figure is --parse's",
      );
      assert.ok(await runs.isVisible("#new-runs"), "the runs page says new runs arrived");
      await page.close();
      await runs.close();
    });

    it("keeps serving when a damaged log arrives, and loads nothing from outside", async () => {
      appendFileSync(
        join(dir, "99999.000001_2026-01-02T030405Z_carbontracker.log"),
        "\u0000\u0000not a log\n",
      );
      const page = await context.newPage();
      const response = await page.goto(dashboard.url);
      assert.equal(response?.status(), 200);
      const origin = new URL(dashboard.url).origin;
      const outside = requested.filter((url) => !url.startsWith(`${origin}/`));
      assert.deepEqual(outside, [], "every request went to the dashboard itself");
      await page.close();
    });
  });
