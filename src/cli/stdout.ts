// The CLI's printed output (help, reports, doctor) on stdout. Node ignores SIGPIPE, so a reader
// that stops early (`carbontracker --help | head -1`) makes the next write fail with EPIPE, and
// an unhandled stream error would end the CLI with a stack trace. The rest of the output is
// dropped quietly instead, as a program killed by SIGPIPE would. process.stdout is only touched
// on the first write: a tracked run that prints nothing there does not load Node's streams.

let guarded = false;

/** Writes `text` to stdout; once the reader has gone, drops it. */
export function writeStdout(text: string): void {
  if (!guarded) {
    guarded = true;
    process.stdout.on("error", dropWhenReaderGone);
  }
  process.stdout.write(text);
}

function dropWhenReaderGone(error: NodeJS.ErrnoException): void {
  // EPIPE: the reader closed the pipe; later writes then fail on the destroyed stream.
  if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") return;
  throw error;
}
