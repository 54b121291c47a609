import type { ApplicationDescriptor, ProjectConfig } from "../project/index.js";
import { consumerEntry } from "./consumer-checks.js";
import { error, warning, type Problem } from "./problem.js";

/**
 * The runtime's own queue: every aggregate's outbox sends each stream's head to it, and the
 * runtime consumes it into the stream catalog. Same names as the runtime's `STREAM_CATALOG_QUEUE`
 * and `STREAM_CATALOG_BINDING` (a unit test keeps them equal; the CLI does not load the runtime).
 */
export const STREAM_CATALOG_QUEUE = "stream-catalog";
export const STREAM_CATALOG_BINDING = "STREAM_CATALOG_QUEUE";

/**
 * Settings for the catalog's consumer: it is off the read-your-write path, so it waits up to a
 * second to fill batches (fewer D1 writes), and it retries longer than a subscriber because it has
 * no dead-letter queue (a lost head is repaired by the stream's next command).
 */
export const STREAM_CATALOG_CONSUMER = { queue: STREAM_CATALOG_QUEUE, max_batch_size: 100, max_batch_timeout: 1, max_retries: 10, retry_delay: 5 } as const;

/** The schedule suggested for the sweep of streams left behind. */
export const SUGGESTED_SWEEP_CRON = "*/5 * * * *";

const REQUIRED_SETTINGS = ["max_batch_size", "max_batch_timeout", "max_retries"] as const;

/**
 * The stream catalog's producer and consumer, and the cron trigger of the sweep: required as soon
 * as the application has a subscriber (the catalog lives in the subscribers' databases).
 */
export function checkStreamCatalog(config: ProjectConfig, app: ApplicationDescriptor): Problem[] {
  if (app.subscribers.length === 0) return [];
  const problems: Problem[] = [];
  const producer = (config.queues.producers ?? []).find((p) => p.binding === STREAM_CATALOG_BINDING);
  const entry = { binding: STREAM_CATALOG_BINDING, queue: STREAM_CATALOG_QUEUE };
  if (!producer) {
    problems.push(
      error("stream-catalog-producer-missing", `queue producer ${STREAM_CATALOG_BINDING} is missing: the outbox cannot record streams in the stream catalog`, {
        kind: "add",
        section: "queues.producers",
        entry,
      }),
    );
  } else if (producer.queue !== STREAM_CATALOG_QUEUE) {
    problems.push(
      error("queue-producer-wrong-queue", `queue producer ${STREAM_CATALOG_BINDING} sends to queue ${producer.queue}, but the stream catalog consumes ${STREAM_CATALOG_QUEUE}`, {
        kind: "replace",
        section: "queues.producers",
        entry,
      }),
    );
  }
  const consumer = (config.queues.consumers ?? []).find((c) => c.queue === STREAM_CATALOG_QUEUE);
  if (!consumer) {
    problems.push(
      error("stream-catalog-consumer-missing", `queue consumer for ${STREAM_CATALOG_QUEUE} is missing: no stream ever reaches the stream catalog`, {
        kind: "add",
        section: "queues.consumers",
        entry: { ...STREAM_CATALOG_CONSUMER },
      }),
    );
  } else {
    const implicit = REQUIRED_SETTINGS.filter((key) => consumer[key] === undefined);
    if (implicit.length > 0) {
      problems.push(
        error(
          "queue-consumer-settings-implicit",
          `queue consumer for ${STREAM_CATALOG_QUEUE} leaves ${implicit.join(", ")} to the defaults, which differ between wrangler dev and production`,
          { kind: "replace", section: "queues.consumers", entry: { ...STREAM_CATALOG_CONSUMER, ...consumerEntry(consumer), ...Object.fromEntries(implicit.map((k) => [k, STREAM_CATALOG_CONSUMER[k]])) } },
        ),
      );
    }
  }
  if ((config.triggers?.crons ?? []).length === 0) {
    problems.push(
      warning(
        "stream-sweep-cron-missing",
        `no cron trigger: streams a lost message left behind are never swept. Add [triggers] crons = ["${SUGGESTED_SWEEP_CRON}"] and export the runtime's scheduled handler`,
      ),
    );
  }
  return problems;
}
