import type { QueueConsumerConfig, SubscriberDescriptor } from "../project/index.js";
import { error, warning, type ConfigEntry, type Problem } from "./problem.js";

/**
 * Settings suggested for a consumer that does not state them. Every consumer must state
 * max_batch_size, max_batch_timeout and max_retries because `wrangler dev`'s local defaults
 * differ from production's, so what passes locally would batch and retry differently deployed.
 */
export const SUGGESTED_CONSUMER_SETTINGS = {
  /** The largest batch Queues delivers: D1 applies 100-statement batches about four times faster per event than 10-statement ones. */
  max_batch_size: 100,
  /** Deliver at once: read-your-write waits last milliseconds, where 1 s would add a second to every consistent read. */
  max_batch_timeout: 0,
  /** Retries before a message goes to the dead-letter queue: enough to ride out a transient D1 or Durable Object error. */
  max_retries: 5,
  /** Seconds between retries of a failed batch. */
  retry_delay: 1,
} as const;

/** A dead-letter queue's consumer only parks messages in D1 and has no dead-letter queue of its own: it retries longer before a message is lost. */
export const SUGGESTED_DEAD_LETTER_RETRIES = 10;

const REQUIRED_CONSUMER_SETTINGS = ["max_batch_size", "max_batch_timeout", "max_retries"] as const;

/** The subscriber's consumer and its dead-letter queue's consumer. */
export function checkConsumer(s: SubscriberDescriptor, consumers: readonly QueueConsumerConfig[]): Problem[] {
  const problems: Problem[] = [];
  const dlq = s.queue.deadLetterQueue;
  const consumer = consumers.find((c) => c.queue === s.queue.name);
  if (!consumer) {
    problems.push(
      error("queue-consumer-missing", `queue consumer for ${s.queue.name} is missing: ${describe(s)} never receives its events`, {
        kind: "add",
        section: "queues.consumers",
        entry: { queue: s.queue.name, ...SUGGESTED_CONSUMER_SETTINGS, ...(dlq ? { dead_letter_queue: dlq } : {}) },
      }),
    );
  } else {
    // One fully corrected block, so whichever fix the user copies leaves nothing else to change.
    const corrected = consumerEntry(withDefaults(consumer, SUGGESTED_CONSUMER_SETTINGS.max_retries));
    delete corrected.dead_letter_queue;
    if (dlq) corrected.dead_letter_queue = dlq;
    problems.push(...checkSettings(consumer, corrected));
    if (dlq && consumer.dead_letter_queue === undefined) {
      problems.push(
        error(
          "dead-letter-queue-missing",
          `queue consumer for ${s.queue.name} has no dead_letter_queue: messages that exhaust their retries are lost instead of parked in ${dlq}`,
          { kind: "replace", section: "queues.consumers", entry: corrected },
        ),
      );
    } else if (consumer.dead_letter_queue !== undefined && consumer.dead_letter_queue !== dlq) {
      problems.push(
        error(
          "dead-letter-queue-mismatch",
          dlq
            ? `queue consumer for ${s.queue.name} sends failed messages to ${consumer.dead_letter_queue}, but ${describe(s)} parks them from ${dlq}`
            : `queue consumer for ${s.queue.name} sends failed messages to ${consumer.dead_letter_queue}, but ${describe(s)} declares no deadLetterQueue: nothing records them`,
          { kind: "replace", section: "queues.consumers", entry: corrected },
        ),
      );
    }
  }
  if (!dlq) {
    problems.push(
      warning(
        "dead-letter-queue-undefined",
        `${describe(s)} declares no deadLetterQueue: a message that exhausts its retries is dropped. Set queue.deadLetterQueue in its definition`,
      ),
    );
    return problems;
  }
  const dlqConsumer = consumers.find((c) => c.queue === dlq);
  if (!dlqConsumer) {
    problems.push(
      error("dead-letter-consumer-missing", `dead-letter queue ${dlq} has no consumer: ${describe(s)}'s failed messages are never recorded for the admin API`, {
        kind: "add",
        section: "queues.consumers",
        entry: deadLetterConsumer(dlq),
      }),
    );
  } else {
    problems.push(...checkSettings(dlqConsumer, consumerEntry(withDefaults(dlqConsumer, SUGGESTED_DEAD_LETTER_RETRIES))));
  }
  return problems;
}

function checkSettings(consumer: QueueConsumerConfig, corrected: ConfigEntry): Problem[] {
  const implicit = REQUIRED_CONSUMER_SETTINGS.filter((key) => consumer[key] === undefined);
  if (implicit.length === 0) return [];
  return [
    error(
      "queue-consumer-settings-implicit",
      `queue consumer for ${consumer.queue} leaves ${implicit.join(", ")} to the defaults, which differ between wrangler dev and production`,
      { kind: "replace", section: "queues.consumers", entry: corrected },
    ),
  ];
}

function withDefaults(consumer: QueueConsumerConfig, retries: number): QueueConsumerConfig {
  return {
    ...consumer,
    max_batch_size: consumer.max_batch_size ?? SUGGESTED_CONSUMER_SETTINGS.max_batch_size,
    max_batch_timeout: consumer.max_batch_timeout ?? SUGGESTED_CONSUMER_SETTINGS.max_batch_timeout,
    max_retries: consumer.max_retries ?? retries,
  };
}

/**
 * A dead-letter consumer takes one message at a time, a minute apart on retry: when it cannot store
 * a body its last resort is logging it whole, and one full-size body per invocation always fits
 * the log's budget (see docs/limits.md, "Read side").
 */
export const SUGGESTED_DEAD_LETTER_SETTINGS = { max_batch_size: 1, max_batch_timeout: 0, retry_delay: 60 } as const;

function deadLetterConsumer(queue: string): ConfigEntry {
  const { max_batch_size, max_batch_timeout, retry_delay } = SUGGESTED_DEAD_LETTER_SETTINGS;
  return { queue, max_batch_size, max_batch_timeout, max_retries: SUGGESTED_DEAD_LETTER_RETRIES, retry_delay };
}

/** The consumer settings wrangler knows; anything else in the file (a misspelt key, which wrangler warns about) stays out of a printed fix. */
const CONSUMER_SETTINGS = ["type", "max_batch_size", "max_batch_timeout", "max_retries", "retry_delay", "max_concurrency", "visibility_timeout_ms", "dead_letter_queue"];

/** A consumer as written in the file: `queue` first, then its known settings in the file's order. */
export function consumerEntry(consumer: QueueConsumerConfig): Record<string, string | number | readonly string[]> {
  const entry: Record<string, string | number | readonly string[]> = { queue: consumer.queue };
  for (const [key, value] of Object.entries(consumer)) {
    if (CONSUMER_SETTINGS.includes(key) && (typeof value === "string" || typeof value === "number")) entry[key] = value;
  }
  return entry;
}

/** "projection order-details", "process manager fulfilment". */
export function describe(s: SubscriberDescriptor): string {
  return `${s.kind} ${s.name}`;
}
