// Every folder of src/ has its import boundary in the dependency rules (checked by `npm run
// lint`): a new folder without one would import anything unchecked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";

const rules = createRequire(import.meta.url)("../../.dependency-cruiser.cjs") as {
  forbidden: { name: string }[];
};

test("each src/ folder has a layer rule (cli/, the CLI's composition root, may import all)", () => {
  const folders = readdirSync("src", { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  const ruled = new Set(rules.forbidden.map((rule) => rule.name));
  for (const folder of folders) {
    if (folder === "cli") continue;
    assert.ok(ruled.has(`layer-${folder}`), `src/${folder} has no layer rule in .dependency-cruiser.cjs`);
  }
  assert.ok(ruled.has("no-circular") && ruled.has("registry-only-at-the-roots"));
});
