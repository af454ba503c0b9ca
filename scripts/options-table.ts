// Prints the README's table of the tracker's options from OPTION_SCHEMA (the one definition).
// `node --import tsx scripts/options-table.ts`; test/tracker/option-schema.test.ts checks the
// README holds exactly this table.
import { OPTION_SCHEMA, type OptionSpec } from "../src/tracker/option-schema.js";

/** One markdown row per option that the CLI, the library or Python takes. */
export function optionsTable(): string {
  const rows = ["| CLI | library | Python | default | what |", "|---|---|---|---|---|"];
  for (const [name, spec] of Object.entries(OPTION_SCHEMA) as [string, OptionSpec<unknown>][]) {
    const python = spec.original ?? (spec.python ? `${spec.python} (ours)` : undefined);
    if (!spec.cli && !python) continue;
    const value = spec.default === undefined ? "" : `\`${JSON.stringify(spec.default)}\``;
    const cli = spec.cli ? `\`${spec.cli}\`` : "";
    rows.push(
      `| ${cli} | \`${name}\` | ${python ? `\`${python}\`` : ""} | ${value} | ${spec.doc.replaceAll("|", "\\|")} |`,
    );
  }
  return rows.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${optionsTable()}\n`);
