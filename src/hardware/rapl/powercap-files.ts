// The only door from the RAPL backend to the file system, injectable so tests can stand in for
// the kernel (a permission-denied energy_uj even when the tests run as root).
import { readdirSync } from "node:fs";
import { openTextFile, parseTextWith, readTextNonBlocking, type TextFile } from "../read-text.js";

/** File access the RAPL backend needs; every method is synchronous and throws Node-style errors (`code`). */
export interface PowercapFiles {
  /** The text of a sysfs attribute file. */
  readText(path: string): string;
  /** Entry names in a directory (symlinks to directories included). */
  list(path: string): string[];
  /** A counter file kept open between reads; without it, every read goes through readText. */
  open?(path: string): TextFile;
}

/** Reads the real file system. */
export const nodePowercapFiles: PowercapFiles = {
  readText: readTextNonBlocking,
  list: (path) => readdirSync(path),
  open: openTextFile,
};

/** The counter file at `path`, kept open where `files` can (read through readText otherwise). */
export function openCounterFile(files: PowercapFiles, path: string): TextFile {
  if (files.open) return files.open(path);
  const read = () => files.readText(path);
  return {
    path,
    read,
    readWith: (parse) => parseTextWith(read(), parse),
    close: () => {},
  };
}

/** The `code` of a Node file-system error (`EACCES`, `ENOENT`, ...), or undefined. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}

/** Whether an error says the file is not readable by this user. */
export function isPermissionError(error: unknown): boolean {
  const code = errorCode(error);
  return code === "EACCES" || code === "EPERM";
}
