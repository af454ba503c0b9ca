// Whether NVML can load at all is answered without loading koffi, the dynamic loader's way, and
// "may load" whenever that is not certain.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedLibraryMayLoad } from "../../../src/hardware/nvml/library-search.js";

const NAME = "libnvidia-ml.so.1";
const world = (files: string[], cache: string | undefined, env: Record<string, string> = {}) => ({
  env,
  platform: "linux" as const,
  exists: (path: string) => files.includes(path),
  loaderCache: () => (cache === undefined ? undefined : Buffer.from(cache)),
});

test("a bare soname loads from LD_LIBRARY_PATH, the loader cache or a system folder, else not", () => {
  assert.equal(sharedLibraryMayLoad(NAME, world([], "libc.so.6\0/lib/libc.so.6")), false);
  assert.equal(sharedLibraryMayLoad(NAME, world([], `\0${NAME}\0/usr/lib64/${NAME}`)), true);
  assert.equal(sharedLibraryMayLoad(NAME, world([`/usr/lib/x86_64-linux-gnu/${NAME}`], "")), true);
  assert.equal(
    sharedLibraryMayLoad(NAME, world([`/opt/nv/${NAME}`], "", { LD_LIBRARY_PATH: "/x:/opt/nv" })),
    true,
  );
});

test("a path loads when the file exists; an unreadable loader cache or another system answers 'may'", () => {
  assert.equal(sharedLibraryMayLoad("/opt/nv/libnvml.so", world(["/opt/nv/libnvml.so"], "")), true);
  assert.equal(sharedLibraryMayLoad("/opt/nv/libnvml.so", world([], "")), false);
  assert.equal(sharedLibraryMayLoad(NAME, world([], undefined)), true);
  assert.equal(sharedLibraryMayLoad(NAME, { ...world([], ""), platform: "darwin" }), true);
});
