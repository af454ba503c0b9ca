// Listening on a Unix socket without Node's cluster module. Server.listen() requires it (six
// modules, 3-5 M instructions: a tenth of what the CLI itself adds to a short run) only to ask
// whether this process is a cluster worker, which the CLI never is; a primary then calls
// `server._listen2`, a legacy alias Node keeps for code that wraps it. Calling that directly
// skips the load. A Node without it gets listen().
import type { Server } from "node:net";

/** What listen() calls in a process that is not a cluster worker. */
type ListenInPrimary = (address: string, port: number, addressType: number) => void;

/** Starts `server` listening on the socket `path`; 'listening' or 'error' follows, as with listen(). */
export function listenOutsideCluster(server: Server, path: string): void {
  const listenInPrimary = (server as unknown as { _listen2?: ListenInPrimary })._listen2;
  if (typeof listenInPrimary !== "function") {
    server.listen(path);
    return;
  }
  // listen() records the path for server.address(); port and address type -1 mean a pipe.
  (server as unknown as { _pipeName: string })._pipeName = path;
  listenInPrimary.call(server, path, -1, -1);
}
