// The dashboard's HTTP server: pages rendered from the run index, the bundled assets, the event
// stream, reports and log files of the given folders only. Loopback requests must name a loopback
// host (no DNS rebinding); any other address needs a token, which every request must carry. A
// failing request gets an error page, never a stopped server.
import { createReadStream } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { basename } from "node:path";
import { CarbonTrackerError, InvalidOptionError } from "../errors/index.js";
import type { GroupBy } from "../reports/group-totals.js";
import type { ReportModel } from "../reports/run-report/report-model.js";
import { checkToken, TOKEN_NAME, tokenCookie } from "./access-token.js";
import { CLIENT_SCRIPT } from "./assets/client-script.js";
import { STYLESHEET } from "./assets/stylesheet.js";
import { EventHub } from "./event-stream.js";
import { SECURITY_HEADERS } from "./security-headers.js";
import { escapeHtml, indexingText, page } from "./html.js";
import { hostPort, isLoopback, originOf } from "./listen-address.js";
import { livePage } from "./pages/live-page.js";
import { runPage } from "./pages/run-page.js";
import { runsPage } from "./pages/runs-page.js";
import { totalsPage } from "./pages/totals-page.js";
import type { IndexedRun, RunIndex } from "./run-index.js";
import { parseRunQuery } from "./run-query.js";
import { servableLogFile } from "./safe-files.js";
import { GROUPINGS, totalsBy, type Totals } from "./totals.js";

/** What the server serves and where. */
export interface DashboardServerOptions {
  index: RunIndex;
  host: string;
  /** 0: any free port. */
  port: number;
  /** When set, every request must carry it (cookie, Bearer header or `?ct_token=`). */
  token?: string;
  /** A request failed inside the server (it answered 500 and goes on). */
  onError?: (error: unknown) => void;
}

/** A listening dashboard. */
export interface DashboardServer {
  /** `http://host:port/` */
  url: string;
  /** The URL to open: with the token when one is required. */
  openUrl: string;
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    "content-type": type,
    "content-length": Buffer.byteLength(body),
  });
  response.end(response.req.method === "HEAD" ? undefined : body);
}

function plain(response: ServerResponse, status: number, text: string): void {
  send(response, status, "text/plain; charset=utf-8", `${text}\n`);
}

/** The log file a run's report is built from (its JSONL where it has one). */
function reportSource(entry: IndexedRun): string | undefined {
  const f = entry.run.files;
  return f.jsonl ?? f.standard ?? f.output;
}

async function reportModel(entry: IndexedRun): Promise<ReportModel | { error: string }> {
  const file = reportSource(entry);
  if (file === undefined) return { error: "a console capture has no log files to draw charts from" };
  try {
    // The report's modules (a PDF writer with its fonts among them) load on the first run page
    // asked for, not at start: the dashboard answers sooner.
    const { buildReportModel } = await import("../reports/run-report/report-model.js");
    return await buildReportModel(file);
  } catch (error) {
    if (error instanceof CarbonTrackerError) return { error: error.message };
    // The report's reader choked on a damaged log: the page says so and shows the rest.
    return {
      error: `the report cannot read ${file} (${error instanceof Error ? error.message : String(error)})`,
    };
  }
}

/** Starts serving; rejects (with the system's error) when the address cannot be listened on. */
export function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const loopback = isLoopback(options.host);
  // The CLI makes a token for such an address; the server refuses to serve it without one anyway.
  if (!loopback && !options.token) {
    return Promise.reject(
      new InvalidOptionError(
        "listen",
        `${options.host} is reachable from other machines: a dashboard there needs a token (carbontracker dashboard --listen makes one).`,
      ),
    );
  }
  const { index } = options;
  const hub = new EventHub(index);
  const frame = () => ({
    dirs: index.dirs,
    running: index.running().length,
    indexing: index.progress.done ? null : index.progress,
  });
  // Totals over 10,000 runs take a while: computed once per change of the index.
  const totalsCache = new Map<GroupBy, { version: number; totals: Totals }>();
  const totals = (by: GroupBy): Totals => {
    const cached = totalsCache.get(by);
    if (cached?.version === index.version) return cached.totals;
    const fresh = totalsBy(
      index.runs().map((e) => e.run),
      index.agentJobs(),
      by,
    );
    totalsCache.set(by, { version: index.version, totals: fresh });
    return fresh;
  };
  let allowedHosts = new Set<string>();

  async function route(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const parts = url.pathname.split("/").slice(1);
    const [first, second, third, ...rest] = parts;
    const html = (body: string) => send(response, 200, "text/html; charset=utf-8", body);
    if (url.pathname === "/")
      return html(runsPage(frame(), index.runs(), index.problems(), parseRunQuery(url.searchParams)));
    if (url.pathname === "/live") return html(livePage(frame(), index.runs()));
    if (url.pathname === "/totals") {
      const by = (url.searchParams.get("by") ?? "job") as GroupBy;
      if (!GROUPINGS.includes(by))
        return plain(response, 400, `Totals are by job, node or user, not "${by}".`);
      return html(totalsPage(frame(), totals(by), by));
    }
    if (url.pathname === "/events") return hub.open(response);
    if (url.pathname === "/assets/dashboard.css")
      return send(response, 200, "text/css; charset=utf-8", STYLESHEET);
    if (url.pathname === "/assets/dashboard.js")
      return send(response, 200, "text/javascript; charset=utf-8", CLIENT_SCRIPT);
    if (url.pathname === "/favicon.ico") return send(response, 204, "image/x-icon", "");
    if (first === "runs" && second !== undefined && rest.length === 0) {
      const entry = index.get(second);
      if (!entry) return notFound(response);
      if (third === undefined) return html(runPage(frame(), entry, await reportModel(entry)));
      if (third !== "report.html" && third !== "report.pdf") return notFound(response);
      const model = await reportModel(entry);
      if ("error" in model)
        return plain(response, 422, `No report for run ${entry.run.runId}: ${model.error}`);
      if (third === "report.html") {
        const { renderHtml } = await import("../reports/run-report/render-html.js");
        return html(renderHtml(model));
      }
      const { renderPdf } = await import("../reports/run-report/render-pdf.js");
      response.setHeader("content-disposition", `inline; filename="${entry.key}-report.pdf"`);
      return send(response, 200, "application/pdf", await renderPdf(model));
    }
    if (first === "files" && second !== undefined && third !== undefined && rest.length === 0) {
      const file = await servableLogFile(index.dirs, second, third);
      if (file === null) return notFound(response);
      response.writeHead(200, {
        ...SECURITY_HEADERS,
        "content-type": "text/plain; charset=utf-8",
        "content-disposition": `inline; filename="${basename(file).replace(/[^\w.-]/g, "_")}"`,
      });
      if (request.method === "HEAD") return void response.end();
      createReadStream(file)
        .on("error", () => response.destroy())
        .pipe(response);
      return;
    }
    return notFound(response);
  }

  function notFound(response: ServerResponse): void {
    const { indexing } = frame();
    const reading = indexing
      ? `<p>The folders are still being read (${escapeHtml(indexingText(indexing))}): a run not read yet is found once it is.</p>`
      : "";
    const body = `<h1>Not found</h1><p>Nothing here. The dashboard serves its pages and the log files of ${index.dirs.map((d) => `<code>${escapeHtml(d)}</code>`).join(", ")} only.</p>${reading}<p><a href="/">All runs</a></p>`;
    send(
      response,
      404,
      "text/html; charset=utf-8",
      page({ ...frame(), title: "Not found", section: "run" }, body),
    );
  }

  const server: Server = createServer((request, response) => {
    const raw = request.url ?? "/";
    if (!raw.startsWith("/")) return plain(response, 400, "Bad request: a path was expected.");
    if (request.method !== "GET" && request.method !== "HEAD")
      return plain(response, 405, `${request.method ?? "?"} is not served: the dashboard only reads.`);
    if (loopback && !allowedHosts.has((request.headers.host ?? "").toLowerCase())) {
      return plain(
        response,
        403,
        "Forbidden: this dashboard answers requests for its loopback address only.",
      );
    }
    let url: URL;
    try {
      url = new URL(`http://dashboard${raw}`);
    } catch {
      return plain(response, 400, "Bad request: unreadable URL.");
    }
    if (options.token) {
      const check = checkToken(request, url, options.token);
      if (check === "missing") {
        return plain(
          response,
          401,
          `Unauthorized: this dashboard needs its token. Open the URL it printed at start (it ends in ?${TOKEN_NAME}=...).`,
        );
      }
      if (check === "from-query") {
        url.searchParams.delete(TOKEN_NAME);
        response.writeHead(303, {
          ...SECURITY_HEADERS,
          "set-cookie": tokenCookie(options.token),
          location: `${url.pathname}${url.search}`,
        });
        return void response.end();
      }
    }
    route(request, response, url).catch((error: unknown) => {
      options.onError?.(error);
      if (response.headersSent) return void response.destroy();
      plain(
        response,
        500,
        `The dashboard could not answer ${url.pathname}: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  });
  server.on("clientError", (_error, socket) => socket.destroy());

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : options.port;
      const origin = originOf(options.host, port);
      allowedHosts = new Set(
        [hostPort(options.host, port), `127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].map((h) =>
          h.toLowerCase(),
        ),
      );
      resolve({
        url: `${origin}/`,
        openUrl: options.token ? `${origin}/?${TOKEN_NAME}=${options.token}` : `${origin}/`,
        close: () =>
          new Promise<void>((done) => {
            hub.close();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
