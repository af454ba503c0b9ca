// The original's CLI spelled options with underscores (--log_dir, --api_keys, --sim_cpu);
// we accept both spellings by rewriting option names before the wrapped command to dashes.

/** Rewrites `--a_b` to `--a-b` for our own options only (never inside the wrapped command). */
export function normaliseOptionNames(
  argv: readonly string[],
  takesValue: (long: string) => boolean | undefined,
): string[] {
  const out = [...argv];
  for (let i = 0; i < out.length; i++) {
    const token = out[i] as string;
    if (token === "--") break;
    if (token.startsWith("--")) {
      const [name = "", ...value] = token.slice(2).split("=");
      const dashed = name.replace(/_/g, "-");
      out[i] = `--${dashed}${value.length > 0 ? `=${value.join("=")}` : ""}`;
      if (value.length === 0 && takesValue(`--${dashed}`)) i += 1;
      continue;
    }
    if (token.startsWith("-") && token.length > 1) continue;
    break; // the wrapped command starts here
  }
  return out;
}
