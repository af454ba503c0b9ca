// The CLI's own lines go to stderr with one write(2) each: touching process.stderr would load
// Node's stream machinery (a millisecond and a megabyte at start-up) for a handful of lines.
import { writeSync } from "node:fs";
import { isatty } from "node:tty";

/**
 * Writes `text` to stderr now. A descriptor that refuses a synchronous write (non-blocking and
 * full: EAGAIN) gets it through process.stderr, which queues it; a closed one (EPIPE) drops it.
 */
export function writeStderr(text: string): void {
  try {
    writeSync(2, text);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EAGAIN") process.stderr.write(text);
  }
}

/** Whether stderr is a terminal, asked of the descriptor (process.stderr is never created for it). */
export function stderrIsTerminal(): boolean {
  return isatty(2);
}
