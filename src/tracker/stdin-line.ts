// Reads one line from stdin without touching process.stdin (which would keep the host's event
// loop alive or steal input from it): for the "Continue training (y/n)?" question.
import { read } from "node:fs";

/** One line from file descriptor 0, or undefined at end of input. */
export function readStdinLine(): Promise<string | undefined> {
  const bytes: number[] = [];
  const one = Buffer.alloc(1);
  return new Promise((resolve) => {
    const next = () =>
      read(0, one, 0, 1, null, (error, n) => {
        if (error || n === 0) resolve(bytes.length > 0 ? Buffer.from(bytes).toString() : undefined);
        else if (one[0] === 10) resolve(Buffer.from(bytes).toString());
        else {
          bytes.push(one[0] as number);
          next();
        }
      });
    next();
  });
}
