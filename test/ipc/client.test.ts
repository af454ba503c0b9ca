// The epoch clients (JS `carbontracker/ipc` and Python `carbontracker_ipc`) against the CLI's
// real socket server: every mark arrives, in order, even when the program exits right after.
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { openIpcServer } from "../../src/cli/ipc-server.js";
import { epoch, epochEnd, epochStart } from "../../src/ipc/index.js";
import type { IpcMessage } from "../../src/ipc/protocol.js";

const PYTHON_CLIENT = resolve("clients/python");

function run(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(file, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((done) => child.on("close", (code) => done({ code, stdout, stderr })));
}

/** A server that records each mark and answers epoch_end only after a pause. */
async function recordingServer() {
  const events: string[] = [];
  let epochs = 0;
  const server = await openIpcServer(async (m: IpcMessage) => {
    if (m.event === "epoch_end") {
      await new Promise((r) => setTimeout(r, 150));
      epochs += 1;
    }
    events.push(m.event);
    return { ok: true, epochs };
  });
  return { server, events };
}

test("the JS calls do nothing and return undefined outside the CLI", () => {
  const saved = process.env.CARBONTRACKER_IPC;
  delete process.env.CARBONTRACKER_IPC;
  try {
    assert.equal(epochStart(), undefined);
    assert.equal(epochEnd(), undefined);
    assert.equal(
      epoch(() => "done"),
      "done",
    );
  } finally {
    if (saved !== undefined) process.env.CARBONTRACKER_IPC = saved;
  }
});

test("a Node program that exits right after epochEnd loses no mark", async () => {
  const { server, events } = await recordingServer();
  try {
    const result = await run(process.execPath, [resolve("test/ipc/fixtures/exit-after-end.mjs")], {
      PATH: process.env.PATH,
      CARBONTRACKER_IPC: server.path,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "value 42\n");
    assert.deepEqual(events, ["epoch_start", "epoch_end"]);
  } finally {
    server.close();
  }
});

test("the Node client returns the CLI's replies in order", async () => {
  const { server, events } = await recordingServer();
  try {
    const result = await run(process.execPath, [resolve("test/ipc/fixtures/train.mjs"), "2", "10"], {
      PATH: process.env.PATH,
      CARBONTRACKER_IPC: server.path,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      'epoch 1 replies {"ok":true,"epochs":0} {"ok":true,"epochs":1}\n' +
        'epoch 2 replies {"ok":true,"epochs":1} {"ok":true,"epochs":2}\n',
    );
    assert.deepEqual(events, ["epoch_start", "epoch_end", "epoch_start", "epoch_end"]);
  } finally {
    server.close();
  }
});

test("the Node client warns once and goes on when the socket is not there", async () => {
  const result = await run(process.execPath, [resolve("test/ipc/fixtures/train.mjs"), "2", "10"], {
    PATH: process.env.PATH,
    CARBONTRACKER_IPC: "/nonexistent/carbontracker.sock",
  });
  assert.equal(result.code, 0);
  assert.match(
    result.stderr,
    /^carbontracker\/ipc: cannot reach the carbontracker CLI at \/nonexistent\/carbontracker.sock \(ENOENT\); epochs are no longer marked.\n$/,
  );
  assert.match(result.stdout, /epoch 2 replies undefined undefined/);
});

const PYTHON_SCRIPT = `
import os, sys
from carbontracker_ipc import epoch, epoch_start, epoch_end
print(epoch_start(), flush=True)
print(epoch_end(), flush=True)
with epoch():
    pass
os._exit(0)
`;

test("the Python client marks epochs, context manager included, and exits safely", async () => {
  const { server, events } = await recordingServer();
  try {
    const result = await run("python3", ["-c", PYTHON_SCRIPT], {
      PATH: process.env.PATH,
      PYTHONPATH: PYTHON_CLIENT,
      CARBONTRACKER_IPC: server.path,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "{'ok': True, 'epochs': 0}\n{'ok': True, 'epochs': 1}\n");
    assert.deepEqual(events, ["epoch_start", "epoch_end", "epoch_start", "epoch_end"]);
  } finally {
    server.close();
  }
});

test("the Python client does nothing outside the CLI", async () => {
  const result = await run("python3", ["-c", PYTHON_SCRIPT], {
    PATH: process.env.PATH,
    PYTHONPATH: PYTHON_CLIENT,
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "None\nNone\n");
  assert.equal(result.stderr, "");
});

test("the server refuses a line that is not a message and goes on", async () => {
  const { server, events } = await recordingServer();
  try {
    const script = `
import json, os, socket
s = socket.socket(socket.AF_UNIX); s.connect(os.environ["CARBONTRACKER_IPC"])
f = s.makefile("r")
s.sendall(b'hello\\n{"event":"epoch_start"}\\n')
print(f.readline().strip()); print(f.readline().strip())
`;
    const result = await run("python3", ["-c", script], {
      PATH: process.env.PATH,
      CARBONTRACKER_IPC: server.path,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '{"ok":false,"error":"not a message: hello"}\n{"ok":true,"epochs":0}\n');
    assert.deepEqual(events, ["epoch_start"]);
  } finally {
    server.close();
  }
});
