// Counter files kept open between samples: one descriptor per file for the whole run, each
// sample a read at offset 0 that sees what was written since, and a file replaced, removed or
// turned into a FIFO handled as a fresh open would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openTextFile, type TextFile } from "../../src/hardware/read-text.js";
import { tempDir } from "../helpers/cli-process.js";
import { descriptorsOn } from "../helpers/open-descriptors.js";

/** A file holding `text` in a fresh folder, opened for repeated reads and closed after `body`. */
function withKeptFile(text: string, body: (file: TextFile, path: string) => void): void {
  const path = join(tempDir(), "energy_uj");
  writeFileSync(path, text);
  const file = openTextFile(path);
  try {
    body(file, path);
  } finally {
    file.close();
  }
}

test("a file kept open: every read sees the latest text through one descriptor", () => {
  let kept = "";
  withKeptFile("1000\n", (file, path) => {
    kept = path;
    assert.equal(file.read(), "1000\n");
    const [fd] = descriptorsOn(path);
    for (const value of ["2000", "123456789012", "3"]) {
      writeFileSync(path, `${value}\n`); // rewritten in place, as sysfs changes a counter
      assert.equal(file.read(), `${value}\n`);
    }
    assert.deepEqual(descriptorsOn(path), [fd]);
  });
  assert.deepEqual(descriptorsOn(kept), []);
});

test("a text longer than the first buffer is read whole; headBytes reads only the start", () => {
  const path = join(tempDir(), "stat");
  const text = `cpu  1 2 3 4\n${"intr 0".repeat(400)}\n`;
  writeFileSync(path, text);
  const whole = openTextFile(path);
  const head = openTextFile(path, { headBytes: 16 });
  try {
    assert.equal(whole.read(), text);
    assert.equal(head.read(), text.slice(0, 16));
  } finally {
    whole.close();
    head.close();
  }
});

test("a file replaced or removed under the reader: the new one is read, a missing one fails as ENOENT until it is back", () => {
  withKeptFile("1\n", (file, path) => {
    assert.equal(file.read(), "1\n");
    writeFileSync(`${path}.next`, "2\n");
    renameSync(`${path}.next`, path);
    assert.equal(file.read(), "2\n");
    rmSync(path);
    assert.throws(() => file.read(), { code: "ENOENT" });
    writeFileSync(path, "3\n");
    assert.equal(file.read(), "3\n");
  });
});

test("a FIFO put in its place reads as empty at once, never blocking", () => {
  withKeptFile("1\n", (file, path) => {
    assert.equal(file.read(), "1\n");
    rmSync(path);
    execFileSync("mkfifo", [path]);
    assert.equal(file.read(), "");
  });
});

test("files under /proc stay open and are read again at offset 0", () => {
  const file = openTextFile("/proc/self/stat");
  try {
    const first = file.read();
    const second = file.read();
    assert.match(first, new RegExp(`^${process.pid} \\(`));
    assert.match(second, new RegExp(`^${process.pid} \\(`));
    assert.equal(descriptorsOn(`/proc/${process.pid}/stat`).length, 1);
  } finally {
    file.close();
  }
});
