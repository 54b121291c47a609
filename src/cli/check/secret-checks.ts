import type { ProjectConfig } from "../project/index.js";
import { warning, type Problem } from "./problem.js";

/** The secrets the default bearer authentication reads: commands and queries, and the admin API. */
export const RUNTIME_SECRETS = ["API_TOKEN", "ADMIN_TOKEN"] as const;

/**
 * A warning, not an error, for each runtime secret neither the local secrets file nor the
 * configuration's vars define: production sets them with `wrangler secret put`, and an
 * application with its own authentication may not read them at all.
 */
export function checkSecrets(config: ProjectConfig, localSecrets: readonly string[]): Problem[] {
  const defined = new Set([...localSecrets, ...Object.keys(config.vars)]);
  const missing = RUNTIME_SECRETS.filter((name) => !defined.has(name));
  if (missing.length === 0) return [];
  return [
    warning(
      "secret-missing",
      `${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not defined locally: the default bearer authentication needs ${missing.length === 1 ? "it" : "them"} (in production: \`npx wrangler secret put <NAME>\`)`,
      { kind: "dev-vars", lines: missing.map((name) => `${name}=<a local-only token>`) },
    ),
  ];
}
