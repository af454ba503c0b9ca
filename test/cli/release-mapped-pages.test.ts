// A long run drops its mappings of the file pages start-up read (release-mapped-pages.ts): on
// virtual machines that shadow page tables each wake-up costs in proportion to them. Only
// mappings whose content is the file's may go: a relocated read-only segment holds pages of its own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { droppable, smapsMappings } from "../../src/cli/release-mapped-pages.js";

/** An smaps text as Linux writes it (fields trimmed to those that matter, plus a few others). */
const SMAPS = (
  [
    ["55d0c0000000-55d0c0744000 r--p 00000000 fd:01 1234 /usr/bin/node", 0, 0],
    ["55d0c0744000-55d0c21b0000 r-xp 00744000 fd:01 1234 /usr/bin/node", 0, 0],
    ["55d0c21b0000-55d0c2200000 r--p 021b0000 fd:01 1234 /usr/bin/node", 320, 0],
    ["55d0c2200000-55d0c2210000 rw-p 02200000 fd:01 1234 /usr/bin/node", 64, 0],
    ["55d0c3000000-55d0c3200000 rw-p 00000000 00:00 0 [heap]", 2048, 0],
    ["7f0000000000-7f0000040000 rw-p 00000000 00:00 0 ", 256, 0],
    ["7f1000000000-7f1000100000 r--p 00000000 fd:01 99 /usr/lib/x86_64-linux-gnu/libstdc++.so.6", 0, 8],
    ["7f2000000000-7f2000010000 r-xp 00000000 fd:01 77 /tmp/old/koffi.node (deleted)", 0, 0],
    ["7f3000000000-7f3000010000 r--s 00000000 00:05 5 /dev/shm/shared", 0, 0],
    ["7f4000000000-7f4000001000 r-xp 00000000 00:00 0 [vdso]", 0, 0],
  ] as const
)
  .map(
    ([header, anonymousKb, swapKb]) =>
      `${header}\nSize:                 64 kB\nRss:                  64 kB\nAnonymous:      ${anonymousKb} kB\nSwap:           ${swapKb} kB\nVmFlags: rd mr mw me\n`,
  )
  .join("");

test("only private read-only file mappings with no page of their own are dropped", () => {
  const mappings = smapsMappings(SMAPS);
  assert.equal(mappings.length, 10);
  assert.deepEqual(
    mappings.filter(droppable).map((m) => `${m.permissions} ${m.path}`),
    ["r--p /usr/bin/node", "r-xp /usr/bin/node"],
  );
  assert.equal(mappings[1]?.start, 0x55d0c0744000n);
  assert.equal(mappings[1]?.end, 0x55d0c21b0000n);
});

test(
  "a Node process drops most of its resident memory and runs on unchanged",
  { skip: process.platform !== "linux" },
  () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "test/cli/fixtures/release-pages.ts"], {
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout) as Record<string, number | string>;
    assert.ok(Number(result.released) > 20 * 1024 * 1024, `released ${result.released} bytes`);
    assert.ok(Number(result.after) < Number(result.before) - 15 * 1024, JSON.stringify(result));
    assert.equal(result.digest, "2e48a45dca81");
    assert.equal(result.words, 6);
  },
);
