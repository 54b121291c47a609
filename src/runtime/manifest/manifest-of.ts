import type { ApplicationShape, SubscriberShape } from "./application-shape.js";
import {
  AGGREGATE_OBJECT_CLASS,
  DEFAULT_AGGREGATES_BINDING,
  DEFAULT_PROCESS_MANAGERS_BINDING,
  DEFAULT_TOKEN_SECRETS,
  PROCESS_MANAGER_OBJECT_CLASS,
  STREAM_CATALOG_BINDING,
  STREAM_CATALOG_QUEUE,
} from "./binding-names.js";
import type { D1DatabaseRequirement, DurableObjectMigrationRequirement, DurableObjectNamespaceRequirement, Manifest, Requirement, SubscriberRef } from "./requirement.js";
import {
  DEAD_LETTER_CONSUMER_SETTINGS,
  DEFAULT_MIGRATIONS_DIR,
  INTEGRATION_QUEUE_PLACEHOLDER,
  NEW_MIGRATION_TAG,
  PLACEHOLDER_DATABASE_ID,
  STREAM_CATALOG_CONSUMER_SETTINGS,
  SUBSCRIBER_CONSUMER_SETTINGS,
  SUGGESTED_METRICS_DATASET,
  SUGGESTED_SWEEP_CRON,
} from "./suggested-settings.js";
import { wranglerBlock } from "./wrangler-block.js";

/** What decides the requirements besides the application. */
export interface ManifestOptions {
  /**
   * The secrets the Worker's authentication reads. Default: the default bearer authentication's
   * `API_TOKEN` and `ADMIN_TOKEN`; none when the application brings an authentication of its own.
   */
  readonly secrets?: readonly string[];
}

/**
 * Everything a Worker serving `application` must be configured with: each Durable Object
 * namespace and the migration that creates its class, each queue producer and consumer (with the
 * settings the runtime relies on), each dead-letter queue's consumer, each D1 binding, the stream
 * catalog's queue, the publishers' integration-events producers, the metrics dataset, the sweep's
 * cron trigger and the secrets. Each names who needs it and carries its wrangler block in TOML and
 * JSON. Pure: the runtime checks a Worker's `env` against it, `edge-cqrs check` a configuration file.
 *
 * @example
 * for (const r of manifestOf(application)) if (r.kind !== "secret") console.log(r.block.toml);
 */
export function manifestOf(application: ApplicationShape, options: ManifestOptions = {}): Manifest {
  const aggregates = application.aggregates.map((a) => a.name);
  const stateful = (application.processManagers ?? []).filter((m) => m.stateful === true).map((m) => m.name);
  const followers = subscribersOf(application);
  const requirements: Requirement[] = [
    ...durableObject({
      hosts: "aggregates",
      binding: application.bindings?.aggregates ?? DEFAULT_AGGREGATES_BINDING,
      className: AGGREGATE_OBJECT_CLASS,
      of: aggregates,
      neededBy: `the aggregates (${aggregates.join(", ")})`,
    }),
    ...(stateful.length === 0
      ? []
      : durableObject({
          hosts: "process managers",
          binding: application.bindings?.processManagers ?? DEFAULT_PROCESS_MANAGERS_BINDING,
          className: PROCESS_MANAGER_OBJECT_CLASS,
          of: stateful,
          neededBy: `the stateful process managers (${stateful.join(", ")})`,
        })),
    ...followers.flatMap(({ ref, shape }) => subscriberQueues(ref, shape)),
    ...databases(followers),
    ...integrationProducers(application),
    // The catalog lives in the followers' read databases: without one, nothing reads it and the outbox sends nothing to it.
    ...(followers.length === 0 ? [] : streamCatalog()),
    ...metrics(application.bindings?.metrics),
    ...secrets(options.secrets ?? Object.values(DEFAULT_TOKEN_SECRETS)),
  ];
  return requirements;
}

interface Follower {
  readonly ref: SubscriberRef;
  readonly shape: SubscriberShape;
}

function subscribersOf(application: ApplicationShape): Follower[] {
  const of = (kind: SubscriberRef["kind"], shapes: readonly SubscriberShape[] | undefined) => (shapes ?? []).map((shape) => ({ ref: { kind, name: shape.name }, shape }));
  return [...of("projection", application.projections), ...of("process manager", application.processManagers), ...of("publisher", application.publishers)];
}

function durableObject(d: {
  hosts: DurableObjectNamespaceRequirement["hosts"];
  binding: string;
  className: string;
  of: readonly string[];
  neededBy: string;
}): [DurableObjectNamespaceRequirement, DurableObjectMigrationRequirement] {
  return [
    {
      kind: "durable-object-namespace",
      name: d.binding,
      neededBy: d.neededBy,
      hosts: d.hosts,
      of: d.of,
      className: d.className,
      block: wranglerBlock("durable_objects.bindings", { name: d.binding, class_name: d.className }),
    },
    {
      kind: "durable-object-migration",
      name: d.className,
      neededBy: d.neededBy,
      hosts: d.hosts,
      block: wranglerBlock("migrations", { tag: NEW_MIGRATION_TAG, new_sqlite_classes: [d.className] }),
      note: "Give the migration a tag no other migration has; the first deploy creates the class with SQLite storage.",
    },
  ];
}

/** A subscriber's producer, its consumer and, when it declares a dead-letter queue, that queue's consumer. */
function subscriberQueues(subscriber: SubscriberRef, shape: SubscriberShape): Requirement[] {
  const neededBy = `${subscriber.kind} ${subscriber.name}`;
  const { name: queue, binding, deadLetterQueue } = shape.queue;
  const requirements: Requirement[] = [
    {
      kind: "queue-producer",
      name: binding,
      neededBy,
      role: "subscriber",
      queue,
      subscriber,
      block: wranglerBlock("queues.producers", { binding, queue }),
    },
    {
      kind: "queue-consumer",
      name: queue,
      neededBy,
      role: "subscriber",
      deadLetterQueue,
      subscriber,
      block: wranglerBlock("queues.consumers", { queue, ...SUBSCRIBER_CONSUMER_SETTINGS, ...(deadLetterQueue ? { dead_letter_queue: deadLetterQueue } : {}) }),
    },
  ];
  if (deadLetterQueue) {
    requirements.push({
      kind: "dead-letter-consumer",
      name: deadLetterQueue,
      neededBy,
      subscriber,
      block: wranglerBlock("queues.consumers", { queue: deadLetterQueue, ...DEAD_LETTER_CONSUMER_SETTINGS }),
    });
  }
  return requirements;
}

/** One requirement per D1 binding, however many subscribers share it. */
function databases(followers: readonly Follower[]): D1DatabaseRequirement[] {
  const users = new Map<string, SubscriberRef[]>();
  for (const { ref, shape } of followers) users.set(shape.database, [...(users.get(shape.database) ?? []), ref]);
  return [...users].map(([binding, refs]) => {
    const databaseName = databaseNameFor(binding);
    return {
      kind: "d1-database",
      name: binding,
      neededBy: refs.map((r) => `${r.kind} ${r.name}`).join(", "),
      users: refs,
      block: wranglerBlock("d1_databases", { binding, database_name: databaseName, database_id: PLACEHOLDER_DATABASE_ID, migrations_dir: DEFAULT_MIGRATIONS_DIR }),
      note: `Any database_id works locally; before deploying, run \`npx wrangler d1 create ${databaseName}\` and put the id it prints here.`,
    };
  });
}

/** `READ_DB` → `read-db`: a database name in the style `wrangler d1 create` expects. */
function databaseNameFor(binding: string): string {
  return binding.toLowerCase().replace(/_/g, "-");
}

/** The producers publishers send their CloudEvents through, one per binding however many publishers share it. */
function integrationProducers(application: ApplicationShape): Requirement[] {
  const publishers = new Map<string, string[]>();
  for (const p of application.publishers ?? []) publishers.set(p.integrationQueue, [...(publishers.get(p.integrationQueue) ?? []), p.name]);
  return [...publishers].map(([binding, names]) => ({
    kind: "queue-producer",
    name: binding,
    neededBy: names.map((name) => `publisher ${name}`).join(", "),
    role: "integration events",
    queue: undefined,
    block: wranglerBlock("queues.producers", { binding, queue: INTEGRATION_QUEUE_PLACEHOLDER }),
    note: "The queue is the one the consuming system reads the integration events from.",
  }));
}

/** The runtime's own queue, fed by every aggregate's outbox, and the sweep that compares it with the checkpoints. */
function streamCatalog(): Requirement[] {
  return [
    {
      kind: "queue-producer",
      name: STREAM_CATALOG_BINDING,
      neededBy: "the stream catalog",
      role: "stream catalog",
      queue: STREAM_CATALOG_QUEUE,
      block: wranglerBlock("queues.producers", { binding: STREAM_CATALOG_BINDING, queue: STREAM_CATALOG_QUEUE }),
    },
    {
      kind: "queue-consumer",
      name: STREAM_CATALOG_QUEUE,
      neededBy: "the stream catalog",
      role: "stream catalog",
      deadLetterQueue: undefined,
      block: wranglerBlock("queues.consumers", { queue: STREAM_CATALOG_QUEUE, ...STREAM_CATALOG_CONSUMER_SETTINGS }),
    },
    {
      kind: "cron-trigger",
      name: SUGGESTED_SWEEP_CRON,
      neededBy: "the stream sweep",
      block: wranglerBlock("triggers", { crons: [SUGGESTED_SWEEP_CRON] }),
      note: "The Worker exports the runtime's scheduled handler for it (`scheduled: runtime.scheduled`).",
    },
  ];
}

function metrics(binding: string | undefined): Requirement[] {
  if (binding === undefined) return [];
  return [
    {
      kind: "analytics-engine-dataset",
      name: binding,
      neededBy: "the runtime's metrics (the application's bindings.metrics)",
      block: wranglerBlock("analytics_engine_datasets", { binding, dataset: SUGGESTED_METRICS_DATASET }),
      note: "The dataset is created by the first write; its name is what Analytics Engine SQL queries read FROM.",
    },
  ];
}

function secrets(names: readonly string[]): Requirement[] {
  return names.map((name) => ({
    kind: "secret",
    name,
    neededBy: "the authentication",
    devVars: `${name}=<a local-only token>`,
    command: `npx wrangler secret put ${name}`,
  }));
}
