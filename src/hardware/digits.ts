// Digit checks on the short texts of sysfs and procfs, by hand rather than by regular expression:
// they run at every start, and V8 compiles each regular expression the first time it is used
// (tens of microseconds apiece on a small VM, far more than the check itself).

/** Whether `code` (a UTF-16 code unit, NaN past the end of a string) is an ASCII decimal digit. */
export const isDigitCode = (code: number): boolean => code >= 48 && code <= 57;

/** Whether `text` holds an ASCII decimal digit anywhere. */
export function hasDigit(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) if (isDigitCode(text.charCodeAt(i))) return true;
  return false;
}

/** Whether `text` is one or more ASCII decimal digits and nothing else. */
export function isDecimalDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i += 1) if (!isDigitCode(text.charCodeAt(i))) return false;
  return true;
}

/** Blanks around a counter in a sysfs file: space, tab, line feed, carriage return. */
const isBlankByte = (byte: number): boolean => byte === 32 || byte === 9 || byte === 10 || byte === 13;

/**
 * The one non-negative decimal integer in `bytes[0..length)`, blanks around it allowed: what a
 * counter file (energy_uj) holds. Undefined for anything else, or past 2^53. Read from the bytes
 * so that a sample makes no string.
 */
export function parseDecimalBytes(bytes: Uint8Array, length: number): number | undefined {
  let start = 0;
  let end = length;
  while (start < end && isBlankByte(bytes[start] as number)) start += 1;
  while (end > start && isBlankByte(bytes[end - 1] as number)) end -= 1;
  if (start === end) return undefined;
  let value = 0;
  for (let i = start; i < end; i += 1) {
    const digit = (bytes[i] as number) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return Number.isSafeInteger(value) ? value : undefined;
}
