import { z } from "zod";
import { AGGREGATES_BINDING } from "../aggregate-client";
import type { Subscription } from "../subscription";

const SecretsSchema = z.object({
  API_TOKEN: z.string().min(1, "API_TOKEN must be set (.dev.vars locally, `wrangler secret put API_TOKEN` in production)"),
  ADMIN_TOKEN: z.string().min(1, "ADMIN_TOKEN must be set (.dev.vars locally, `wrangler secret put ADMIN_TOKEN` in production)"),
});

const checked = new WeakSet<object>();

/**
 * Fails loudly, naming what is missing, when the env lacks a binding or secret the application
 * needs. Checked once per env object, so the hot path pays nothing after the first request.
 */
export function assertBindings(env: object, subscribers: readonly Subscription[]): void {
  if (checked.has(env)) return;
  const problems: string[] = [];
  const secrets = SecretsSchema.safeParse(env);
  if (!secrets.success) problems.push(...secrets.error.issues.map((i) => i.message));
  problems.push(...missingHostBindings(env, subscribers));
  if (problems.length > 0) throw new Error(`edge-cqrs configuration is incomplete: ${problems.join("; ")}`);
  checked.add(env);
}

/** The aggregate namespace and every subscriber's D1 binding, named when missing. */
function missingHostBindings(env: object, subscribers: readonly Subscription[]): string[] {
  const bindings = env as Record<string, unknown>;
  const problems: string[] = [];
  if (!bindings[AGGREGATES_BINDING]) problems.push(`Durable Object binding ${AGGREGATES_BINDING}`);
  for (const s of subscribers) {
    if (!bindings[s.database]) problems.push(`D1 binding ${s.database} (${s.name})`);
  }
  return problems;
}
