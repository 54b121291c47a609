/**
 * A subscriber's consumer settings. Every consumer states max_batch_size, max_batch_timeout and
 * max_retries because `wrangler dev`'s local defaults differ from production's, so what passes
 * locally would batch and retry differently deployed.
 */
export const SUBSCRIBER_CONSUMER_SETTINGS = {
  /** The largest batch Queues delivers: D1 applies 100-statement batches about four times faster per event than 10-statement ones. */
  max_batch_size: 100,
  /** Deliver at once: read-your-write waits last milliseconds, where 1 s would add a second to every consistent read. */
  max_batch_timeout: 0,
  /** Retries before a message goes to the dead-letter queue: enough to ride out a transient D1 or Durable Object error. */
  max_retries: 5,
  /** Seconds between retries of a failed batch. */
  retry_delay: 1,
} as const;

/**
 * A dead-letter queue's consumer takes one message at a time, a minute apart on retry: when it
 * cannot store a body its last resort is logging it whole, and one full-size body per invocation
 * always fits the log's budget (docs/limits.md, "Read side"). It only parks messages in D1 and has
 * no dead-letter queue of its own, so it retries longer before a message is lost.
 */
export const DEAD_LETTER_CONSUMER_SETTINGS = { max_batch_size: 1, max_batch_timeout: 0, max_retries: 10, retry_delay: 60 } as const;

/**
 * The stream catalog's consumer: off the read-your-write path, so it waits up to a second to fill
 * batches (fewer D1 writes), and it retries longer than a subscriber because it has no dead-letter
 * queue (a lost head is repaired by the stream's next command).
 */
export const STREAM_CATALOG_CONSUMER_SETTINGS = { max_batch_size: 100, max_batch_timeout: 1, max_retries: 10, retry_delay: 5 } as const;

/** The consumer settings whose defaults differ between `wrangler dev` and production, so every consumer states them. */
export const EXPLICIT_CONSUMER_SETTINGS = ["max_batch_size", "max_batch_timeout", "max_retries"] as const;

/** The schedule suggested for the sweep of streams left behind. */
export const SUGGESTED_SWEEP_CRON = "*/5 * * * *";

/** wrangler's own default for `migrations_dir`: suggesting it keeps every existing migration where it is. */
export const DEFAULT_MIGRATIONS_DIR = "migrations";

/** The Analytics Engine dataset suggested for the runtime's metrics. */
export const SUGGESTED_METRICS_DATASET = "edge_cqrs_metrics";

/** A placeholder database id: any id works locally, and `wrangler d1 create` prints the real one. */
export const PLACEHOLDER_DATABASE_ID = "00000000-0000-0000-0000-000000000000";

/** Stands for the tag of a new migration, which depends on the tags the configuration already has. */
export const NEW_MIGRATION_TAG = "<a tag no migration has yet>";

/** Stands for the integration-events queue: the application names only its producer binding. */
export const INTEGRATION_QUEUE_PLACEHOLDER = "<the integration-events queue>";
