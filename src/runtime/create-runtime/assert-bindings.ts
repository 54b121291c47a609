import { requirementsOf, type Manifest, type Requirement } from "../manifest/index.js";

/** The requirements a Worker's `env` shows: a binding of the right kind, or a secret's value. */
type InEnv = Extract<Requirement, { kind: "durable-object-namespace" | "d1-database" | "queue-producer" | "secret" }>;

// Consumers, migrations and the cron are not in `env`; a missing metrics dataset only stops the
// metrics, which the runtime says once in its log, and must not fail every request.
const PRESENT: { readonly [K in InEnv["kind"]]: (value: unknown) => boolean } = {
  "durable-object-namespace": (value) => typeof (value as DurableObjectNamespace | undefined)?.idFromName === "function",
  "d1-database": (value) => typeof (value as D1Database | undefined)?.batch === "function",
  "queue-producer": (value) => typeof (value as Queue | undefined)?.sendBatch === "function",
  secret: (value) => typeof value === "string" && value.length > 0,
};

const isInEnv = (r: Requirement): r is InEnv => r.kind in PRESENT;

/**
 * Where the Worker runs, as far as the fix for a missing secret goes: `wrangler dev` reads secrets
 * from `.dev.vars`, a deployed Worker from `wrangler secret put`. Bindings are fixed in
 * wrangler.toml either way.
 */
export type WorkerLocation = "local" | "deployed";

/**
 * Where a request was served, from its host: `wrangler dev` answers on localhost (or a loopback
 * address), a deployed Worker on workers.dev or the account's own domain. A guess from the URL,
 * which is all a Worker has; it only chooses which fix a misconfiguration answer names.
 */
export function locationOf(url: string): WorkerLocation {
  const host = new URL(url).hostname;
  return host === "localhost" || host.endsWith(".localhost") || host === "[::1]" || host.startsWith("127.") ? "local" : "deployed";
}

/**
 * What `env` lacks of `manifest`, each problem naming the binding, who needs it and the one fix
 * for where the Worker runs. A runtime asks once per env object (its context's `EnvChecks`), not
 * per request.
 */
export function missingBindings(env: object, manifest: Manifest, location: WorkerLocation): string[] {
  const bindings = env as Record<string, unknown>;
  const missing = manifest.filter(isInEnv).filter((r) => !PRESENT[r.kind](bindings[r.name]));
  // Two definitions sending through one producer binding are one missing binding.
  return [...new Map(missing.map((r) => [r.name, r])).values()].map((r) => `${r.kind} ${r.name} (needed by ${r.neededBy}) is missing; ${howToAdd(r, manifest, location)}`);
}

function howToAdd(r: InEnv, manifest: Manifest, location: WorkerLocation): string {
  if (r.kind === "secret") {
    return location === "local"
      ? `add the line ${r.devVars} to .dev.vars (\`npx edge-cqrs dev-vars\` writes it from .dev.vars.example), then restart wrangler dev`
      : `set it with \`${r.command}\``;
  }
  // A namespace missing from a Worker usually means its class was never declared either.
  const migrations = r.kind === "durable-object-namespace" ? requirementsOf(manifest, "durable-object-migration").filter((m) => m.hosts === r.hosts) : [];
  return `add to wrangler.toml:\n${[r.block, ...migrations.map((m) => m.block)].map((b) => b.toml).join("\n\n")}`;
}
