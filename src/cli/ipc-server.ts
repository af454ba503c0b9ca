// The CLI's end of the epoch protocol: a Unix domain socket in a private temp folder, read as
// newline-delimited JSON. Messages from all connections are handled one at a time, in order of
// arrival, and each gets its reply line once handled (the client waits for it).
import { mkdtempSync, rmdirSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listenOutsideCluster } from "./listen-outside-cluster.js";
import {
  errorReply,
  notAMessage,
  parseMessage,
  splitLines,
  type IpcMessage,
  type IpcReply,
} from "../ipc/protocol.js";

/** Handles one message; the reply goes back to the client that sent it. */
export type IpcHandler = (message: IpcMessage) => Promise<IpcReply> | IpcReply;

/** A listening epoch socket. */
export interface IpcServer {
  /** Path to give the child in CARBONTRACKER_IPC. */
  path: string;
  /** Stops listening, drops connections and removes the temp folder. */
  close(): void;
}

/** Longest line accepted from a client (bytes); longer input closes that connection. */
const MAX_LINE = 64 * 1024;

/**
 * The longest socket path every Unix takes (bytes; Linux allows 107, macOS 103). A longer one is
 * cut short without an error, so the socket would be made where the child never looks.
 */
const MAX_SOCKET_PATH = 103;
const SOCKET_IN_FOLDER = join("carbontracker-ipc-XXXXXX", "epochs.sock");

/** Where the socket's folder goes: TMPDIR, unless its path is too long for a socket there (/tmp then). */
export function socketParent(temp: string = tmpdir()): string {
  return Buffer.byteLength(join(temp, SOCKET_IN_FOLDER)) <= MAX_SOCKET_PATH ? temp : "/tmp";
}

/** Opens the socket (mode 0700 folder, so only this user can mark epochs) and starts serving. */
export async function openIpcServer(handle: IpcHandler): Promise<IpcServer> {
  const dir = mkdtempSync(join(socketParent(), "carbontracker-ipc-"));
  const path = join(dir, "epochs.sock");
  const sockets = new Set<Socket>();
  let queue: Promise<unknown> = Promise.resolve();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setEncoding("utf8");
    const feed = splitLines((line) => {
      queue = queue.then(async () => {
        const message = parseMessage(line);
        let reply: IpcReply;
        try {
          reply = message ? await handle(message) : notAMessage(line);
        } catch (error) {
          reply = errorReply(error);
        }
        if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
      });
    });
    socket.on("data", (chunk: string) => {
      if (feed(chunk) > MAX_LINE) socket.destroy();
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => sockets.delete(socket));
  });
  server.unref();
  const removeFolder = () => {
    // Closing unlinks the socket: the folder is empty then, and rmdir is all it takes.
    try {
      rmdirSync(dir);
    } catch {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.once("listening", () => resolve());
      listenOutsideCluster(server, path);
    });
  } catch (error) {
    removeFolder();
    throw error;
  }
  return {
    path,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      removeFolder();
    },
  };
}
