// Parsers for CLI option values: each failure names the option and shows a valid example.
// They load no commander (a tracked run's common command line is read without it:
// common-form-argv.ts); commander is handed them through commander-parser.ts.
import type { CommanderError } from "commander";

/** A value an option does not take; its message says what it takes. */
export class InvalidValueError extends Error {
  override name = "InvalidValueError";
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A finite number, optionally bounded. */
export function numberIn(min: number, max = Infinity, integer = false) {
  return (raw: string): number => {
    // Plain decimal notation only: Number() would also take "0x10", " 5 " and "".
    const value = DECIMAL.test(raw) ? Number(raw) : NaN;
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      const kind = integer ? "an integer" : "a number";
      const range = max === Infinity ? `>= ${min}` : `between ${min} and ${max}`;
      throw new InvalidValueError(`expected ${kind} ${range}, got '${raw}'.`);
    }
    return value;
  };
}

/** `--api_keys '{"electricitymaps": "KEY"}'`: a JSON object of strings. The value is never echoed. */
export function apiKeys(raw: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidValueError(
      `expected JSON such as '{"electricitymaps": "KEY"}' (the value given is not valid JSON).`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new InvalidValueError(`expected a JSON object such as '{"electricitymaps": "KEY"}'.`);
  }
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value !== "string" || value === "") {
      throw new InvalidValueError(`the key for "${name}" must be a non-empty string.`);
    }
  }
  return parsed as Record<string, string>;
}

/**
 * A commander usage error as one line, without its "error: " prefix. Commander quotes the rejected
 * value; an --api_keys value may hold a key, so the value is never repeated.
 */
export function commanderProblem(error: CommanderError): string {
  return error.message.replace(/^error: /, "").replace(/ argument '.*' is invalid\./s, " value is invalid:");
}
