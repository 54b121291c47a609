import type { WranglerBlock } from "./wrangler-block.js";

/** A definition that owns resources of its own: its queue, its dead-letter queue's consumer, its D1 binding. */
export interface SubscriberRef {
  readonly kind: "projection" | "process manager" | "publisher";
  readonly name: string;
}

/** What every requirement says: what it is, its name, and who needs it. */
interface RequirementBase {
  /** The binding, queue, class, cron or secret name, depending on the kind. */
  readonly name: string;
  /** Who needs it, in words: "projection order-details", "the aggregates (order, delivery)". */
  readonly neededBy: string;
}

/** A requirement declared by one block of the wrangler configuration. */
interface Declared extends RequirementBase {
  readonly block: WranglerBlock;
  /** What else to know when adding the block (a value to replace before deploying). */
  readonly note?: string;
}

/** A Durable Object namespace binding (`[[durable_objects.bindings]]`); `name` is the binding. */
export interface DurableObjectNamespaceRequirement extends Declared {
  readonly kind: "durable-object-namespace";
  /** What lives in it: every aggregate, or every instance of the stateful process managers. */
  readonly hosts: "aggregates" | "process managers";
  /** The aggregates, or the stateful process managers, by name. */
  readonly of: readonly string[];
  /** The class the block binds: the one a new project exports. A configuration may bind a class of another name. */
  readonly className: string;
}

/** The `new_sqlite_classes` migration that creates a Durable Object class with SQLite storage; `name` is the class. */
export interface DurableObjectMigrationRequirement extends Declared {
  readonly kind: "durable-object-migration";
  readonly hosts: "aggregates" | "process managers";
}

/** A queue producer binding (`[[queues.producers]]`); `name` is the binding. */
export interface QueueProducerRequirement extends Declared {
  readonly kind: "queue-producer";
  /**
   * Who consumes what it sends: a subscriber's queue, the runtime's stream catalog, or the
   * integration-events queue another system consumes.
   */
  readonly role: "subscriber" | "stream catalog" | "integration events";
  /** The queue it sends to; undefined for the integration-events queue, which the application names only by its binding. */
  readonly queue: string | undefined;
  /** The subscriber whose queue it is, for the role `subscriber`. */
  readonly subscriber?: SubscriberRef;
}

/** A queue consumer (`[[queues.consumers]]`) with the settings the runtime relies on; `name` is the queue. */
export interface QueueConsumerRequirement extends Declared {
  readonly kind: "queue-consumer";
  readonly role: "subscriber" | "stream catalog";
  /** Where the consumer sends what exhausts its retries: the definition's dead-letter queue, when it has one. */
  readonly deadLetterQueue: string | undefined;
  readonly subscriber?: SubscriberRef;
}

/** The consumer of a dead-letter queue, which parks its messages in D1 for the admin API; `name` is the dead-letter queue. */
export interface DeadLetterConsumerRequirement extends Declared {
  readonly kind: "dead-letter-consumer";
  readonly subscriber: SubscriberRef;
}

/** A D1 binding (`[[d1_databases]]`); `name` is the binding. */
export interface D1DatabaseRequirement extends Declared {
  readonly kind: "d1-database";
  /** Who keeps views, checkpoints or dead letters in it. */
  readonly users: readonly SubscriberRef[];
}

/** The Workers Analytics Engine dataset the runtime writes its metrics to (`bindings.metrics`); `name` is the binding. */
export interface AnalyticsEngineDatasetRequirement extends Declared {
  readonly kind: "analytics-engine-dataset";
}

/** The cron trigger that runs the runtime's sweep of streams left behind (`[triggers]`); `name` is the schedule. */
export interface CronTriggerRequirement extends Declared {
  readonly kind: "cron-trigger";
}

/** A secret the Worker reads; never in the wrangler configuration, where it would be plain text. */
export interface SecretRequirement extends RequirementBase {
  readonly kind: "secret";
  /** The `.dev.vars` line that sets it locally. */
  readonly devVars: string;
  /** The command that sets it in production. */
  readonly command: string;
}

/** One thing a Worker serving an application must be configured with. */
export type Requirement =
  | DurableObjectNamespaceRequirement
  | DurableObjectMigrationRequirement
  | QueueProducerRequirement
  | QueueConsumerRequirement
  | DeadLetterConsumerRequirement
  | D1DatabaseRequirement
  | AnalyticsEngineDatasetRequirement
  | CronTriggerRequirement
  | SecretRequirement;

/** Every kind of requirement. */
export type RequirementKind = Requirement["kind"];

/** Everything an application needs from its Worker's configuration, in the order a configuration is usually read. */
export type Manifest = readonly Requirement[];
