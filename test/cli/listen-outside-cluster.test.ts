// The epoch socket listens without loading Node's cluster module (src/cli/listen-outside-cluster.ts)
// and behaves as listen() does: 'listening', server.address(), connections, and 'error'.
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { rmSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { join } from "node:path";
import { listenOutsideCluster } from "../../src/cli/listen-outside-cluster.js";
import { tempDir } from "../helpers/cli-process.js";

function echoServer(): Server {
  return createServer((socket) => socket.pipe(socket));
}

test("the socket listens, names its path and answers a client", async () => {
  const dir = tempDir();
  const path = join(dir, "s.sock");
  const server = echoServer();
  try {
    listenOutsideCluster(server, path);
    await once(server, "listening");
    assert.equal(server.address(), path);
    const client = connect(path);
    client.end("ping\n");
    let answer = "";
    client.setEncoding("utf8").on("data", (chunk: string) => (answer += chunk));
    await once(client, "close");
    assert.equal(answer, "ping\n");
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a socket path that cannot be bound is an 'error' event, as with listen()", async () => {
  const dir = tempDir();
  const server = echoServer();
  listenOutsideCluster(server, join(dir, "no-such-folder", "s.sock"));
  const [error] = (await once(server, "error")) as [NodeJS.ErrnoException];
  assert.equal(error.syscall, "listen");
  assert.equal(server.listening, false);
  rmSync(dir, { recursive: true, force: true });
});
