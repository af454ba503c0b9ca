// API keys must never reach a console line, a log file or an error message: everything that
// writes text a key could be quoted in (a service's error answer, a log line) passes it here.

/** Shorter strings are not masked: they would mask ordinary words and digits. */
const MIN_SECRET_LENGTH = 4;

/** Replaces every secret in a text with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= MIN_SECRET_LENGTH) out = out.split(secret).join("***");
  return out;
}

/** A masking function for a fixed set of secrets (the identity when there are none). */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const masked = secrets.filter((s) => s.length >= MIN_SECRET_LENGTH);
  return masked.length === 0 ? (text) => text : (text) => redact(text, masked);
}
