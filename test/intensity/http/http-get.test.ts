import { test } from "node:test";
import assert from "node:assert/strict";
import { httpGet } from "../../../src/intensity/http/http-get.js";
import { FAST_HTTP, startLoopbackServer } from "../loopback-server.js";

test("429 with a Retry-After longer than a call may take: not asked again now, the 429 returned at once", async (t) => {
  const server = await startLoopbackServer(() => ({
    status: 429,
    body: "slow down",
    headers: { "retry-after": "3600" },
  }));
  t.after(() => server.close());
  const answer = await httpGet(FAST_HTTP, { url: `${server.url}/x`, source: "test" });
  assert.equal(answer.status, 429);
  assert.equal(server.requests.length, 1);
});

test("429 with a short Retry-After: asked again after that pause, not after the shorter back-off", async (t) => {
  const times: number[] = [];
  const server = await startLoopbackServer(() => {
    times.push(Date.now());
    return times.length === 1
      ? { status: 429, body: "", headers: { "retry-after": "1" } }
      : { status: 200, body: { ok: true } };
  });
  t.after(() => server.close());
  const answer = await httpGet(FAST_HTTP, { url: `${server.url}/x`, source: "test" });
  assert.equal(answer.status, 200);
  assert.equal(times.length, 2);
  assert.ok(
    (times[1] as number) - (times[0] as number) >= 950,
    `asked again after ${(times[1] as number) - (times[0] as number)} ms`,
  );
});

test("429 or 5xx without Retry-After: retried with the back-off as before", async (t) => {
  const server = await startLoopbackServer(() => ({ status: 503, body: "" }));
  t.after(() => server.close());
  const answer = await httpGet(FAST_HTTP, { url: `${server.url}/x`, source: "test" });
  assert.equal(answer.status, 503);
  assert.equal(server.requests.length, 3);
});
