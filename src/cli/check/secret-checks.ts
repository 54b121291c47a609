import { requirementsOf, type Manifest } from "../../runtime/manifest/index.js";
import type { ProjectConfig } from "../project/index.js";
import { warning, type Problem } from "./problem.js";

/**
 * A warning, not an error, for each secret of the manifest that neither the local secrets file
 * nor the configuration's vars define: production sets them with `wrangler secret put`, and an
 * application with its own authentication may not read them at all.
 */
export function checkSecrets(config: ProjectConfig, manifest: Manifest, localSecrets: readonly string[]): Problem[] {
  const defined = new Set([...localSecrets, ...Object.keys(config.vars)]);
  const missing = requirementsOf(manifest, "secret").filter((secret) => !defined.has(secret.name));
  if (missing.length === 0) return [];
  const names = missing.map((secret) => secret.name);
  return [
    warning(
      "secret-missing",
      `${names.join(" and ")} ${names.length === 1 ? "is" : "are"} not defined locally: the default bearer authentication needs ${names.length === 1 ? "it" : "them"} (in production: \`npx wrangler secret put <NAME>\`)`,
      { kind: "dev-vars", lines: missing.map((secret) => secret.devVars) },
    ),
  ];
}
