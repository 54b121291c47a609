import { STREAM_CATALOG_BINDING, STREAM_CATALOG_QUEUE } from "../stream-catalog/index.js";
import type { Subscription } from "../subscription/index.js";

/** One binding the application needs, with the wrangler.toml block that declares it. */
export interface RequiredBinding {
  readonly name: string;
  readonly kind: "durable-object" | "d1" | "queue-producer" | "secret";
  /** Which definition needs it, for the message. */
  readonly neededBy: string;
  readonly block: string;
}

/** Every binding an application's definitions need, as its Worker sees them. */
export function requiredBindings(
  aggregatesBinding: string,
  subscribers: readonly Subscription[],
  secrets: readonly string[],
  streamCatalog = false,
  processManagers?: { readonly binding: string; readonly managers: readonly string[] },
): RequiredBinding[] {
  const required: RequiredBinding[] = [
    {
      name: aggregatesBinding,
      kind: "durable-object",
      neededBy: "the aggregates",
      block: `[[durable_objects.bindings]]\nname = "${aggregatesBinding}"\nclass_name = "AggregateObject"`,
    },
  ];
  if (processManagers && processManagers.managers.length > 0) {
    required.push({
      name: processManagers.binding,
      kind: "durable-object",
      neededBy: `the stateful process managers (${processManagers.managers.join(", ")})`,
      block: `[[durable_objects.bindings]]\nname = "${processManagers.binding}"\nclass_name = "ProcessManagerObject"\n\n[[migrations]]\ntag = "…"\nnew_sqlite_classes = ["ProcessManagerObject"]`,
    });
  }
  for (const s of subscribers) {
    required.push({
      name: s.database,
      kind: "d1",
      neededBy: s.name,
      block: `[[d1_databases]]\nbinding = "${s.database}"\ndatabase_name = "…"\ndatabase_id = "…"\nmigrations_dir = "…"`,
    });
    required.push({
      name: s.queue.binding,
      kind: "queue-producer",
      neededBy: s.name,
      block: `[[queues.producers]]\nbinding = "${s.queue.binding}"\nqueue = "${s.queue.name}"`,
    });
  }
  if (streamCatalog) {
    required.push({
      name: STREAM_CATALOG_BINDING,
      kind: "queue-producer",
      neededBy: "the stream catalog",
      block: `[[queues.producers]]\nbinding = "${STREAM_CATALOG_BINDING}"\nqueue = "${STREAM_CATALOG_QUEUE}"`,
    });
  }
  for (const secret of secrets) {
    required.push({ name: secret, kind: "secret", neededBy: "authentication", block: `${secret}=… in .dev.vars; \`wrangler secret put ${secret}\` in production` });
  }
  return required;
}

const PRESENT: Record<RequiredBinding["kind"], (value: unknown) => boolean> = {
  "durable-object": (value) => typeof (value as DurableObjectNamespace | undefined)?.idFromName === "function",
  d1: (value) => typeof (value as D1Database | undefined)?.batch === "function",
  "queue-producer": (value) => typeof (value as Queue | undefined)?.sendBatch === "function",
  secret: (value) => typeof value === "string" && value.length > 0,
};

/**
 * What `env` lacks of `required`, each problem naming the binding, who needs it and the block to
 * add. Checked once per env object, so the hot path pays a WeakMap lookup after the first request.
 */
export function missingBindings(env: object, required: readonly RequiredBinding[]): string[] {
  const cached = checked.get(env);
  if (cached) return cached;
  const bindings = env as Record<string, unknown>;
  const problems: string[] = [];
  const reported = new Set<string>();
  for (const r of required) {
    if (reported.has(r.name) || PRESENT[r.kind](bindings[r.name])) continue;
    reported.add(r.name);
    problems.push(`${r.kind} binding ${r.name} (needed by ${r.neededBy}) is missing; add to wrangler.toml:\n${r.block}`);
  }
  checked.set(env, problems);
  return problems;
}

const checked = new WeakMap<object, string[]>();
