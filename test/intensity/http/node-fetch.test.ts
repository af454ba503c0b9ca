import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { nodeFetch } from "../../../src/intensity/http/node-fetch.js";

/** A loopback server answering with `handle`; its base URL and the requests it saw. */
async function serve(
  handle: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ url: string; seen: IncomingMessage[]; server: Server }> {
  const seen: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    seen.push(request);
    handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

test("a GET returns the status, the headers by any case and the whole body as UTF-8", async (t) => {
  const { url, seen, server } = await serve((_request, response) => {
    response.writeHead(404, { "Metadata-Flavor": "Google", "content-type": "application/json" });
    // "ø" split across two writes: decoded once the body is whole.
    const bytes = Buffer.from('{"zone":"DK-DK2","name":"Sjælland ø"}');
    response.write(bytes.subarray(0, bytes.length - 3));
    setTimeout(() => response.end(bytes.subarray(bytes.length - 3)), 20);
  });
  t.after(() => server.close());
  const answer = await nodeFetch(`${url}/v1?x=1`, { headers: { "auth-token": "k" } });
  assert.equal(answer.status, 404);
  assert.equal(answer.ok, false);
  assert.equal(answer.headers.get("metadata-flavor"), "Google");
  assert.equal(answer.headers.get("Metadata-Flavor"), "Google");
  assert.equal(answer.headers.get("x-none"), null);
  assert.deepEqual(JSON.parse(await answer.text()), { zone: "DK-DK2", name: "Sjælland ø" });
  assert.equal(seen[0]?.url, "/v1?x=1");
  assert.equal(seen[0]?.headers["auth-token"], "k");
});

test("redirects are followed; a header (an API key) never follows one to another origin", async (t) => {
  const other = await serve((_request, response) => response.end("elsewhere"));
  const { url, seen, server } = await serve((request, response) => {
    if (request.url === "/old") response.writeHead(302, { location: "/new" }).end();
    else if (request.url === "/away") response.writeHead(307, { location: `${other.url}/there` }).end();
    else response.end(`here ${request.method}`);
  });
  t.after(() => {
    server.close();
    other.server.close();
  });
  const same = await nodeFetch(`${url}/old`, { headers: { "auth-token": "secret" } });
  assert.equal(await same.text(), "here GET");
  assert.deepEqual(
    seen.map((r) => [r.url, r.headers["auth-token"]]),
    [
      ["/old", "secret"],
      ["/new", "secret"],
    ],
  );
  const away = await nodeFetch(`${url}/away`, { headers: { "auth-token": "secret" } });
  assert.equal(await away.text(), "elsewhere");
  assert.equal(other.seen[0]?.url, "/there");
  assert.equal(other.seen[0]?.headers["auth-token"], undefined);
});

test("a PUT without a body says so (content-length 0), as cloud metadata token requests need", async (t) => {
  const { url, seen, server } = await serve((_request, response) => response.end("token"));
  t.after(() => server.close());
  const answer = await nodeFetch(`${url}/latest/api/token`, {
    method: "PUT",
    headers: { "X-aws-ec2-metadata-token-ttl-seconds": "60" },
  });
  assert.equal(await answer.text(), "token");
  assert.equal(seen[0]?.method, "PUT");
  assert.equal(seen[0]?.headers["content-length"], "0");
  assert.equal(seen[0]?.headers["x-aws-ec2-metadata-token-ttl-seconds"], "60");
});

test("a time-out aborts the call; a refused connection rejects with the system's code", async (t) => {
  const { url, server } = await serve(() => {
    // Never answers.
  });
  t.after(() => server.closeAllConnections());
  t.after(() => server.close());
  await assert.rejects(nodeFetch(url, { signal: AbortSignal.timeout(100) }), { name: "AbortError" });
  const closed = await serve(() => undefined);
  await new Promise((resolve) => closed.server.close(resolve));
  await assert.rejects(nodeFetch(closed.url), { code: "ECONNREFUSED" });
});
