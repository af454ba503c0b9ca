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
