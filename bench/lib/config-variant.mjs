// Variants of a Worker that differ only in their entry module (e.g. runtime options), without a
// second hand-kept wrangler configuration.
import { readFileSync, writeFileSync } from "node:fs";

/**
 * A copy of a wrangler configuration with another entry module, beside it so its relative paths
 * (the alias, the migrations) still resolve: same bindings, other code. Git-ignored
 * (`.*.wrangler.toml`). Returns the copy's path, relative to the repository root like `config`.
 */
export function withMain(config, main) {
  const copy = config.replace(/wrangler\.toml$/, `.${main.replace(/\.ts$/, "")}.wrangler.toml`);
  const text = readFileSync(new URL(`../../${config}`, import.meta.url), "utf8");
  if (!/^main = ".*"$/m.test(text)) throw new Error(`${config} has no main = "…" line to replace`);
  writeFileSync(new URL(`../../${copy}`, import.meta.url), text.replace(/^main = ".*"$/m, `main = "${main}"`));
  return copy;
}
