import {
  EXPLICIT_CONSUMER_SETTINGS,
  type ConfigEntry,
  type DeadLetterConsumerRequirement,
  type QueueConsumerRequirement,
} from "../../runtime/manifest/index.js";
import type { QueueConsumerConfig } from "../project/index.js";
import { error, warning, type Problem } from "./problem.js";

/** A subscriber's consumer and its dead-letter queue's consumer, against the configuration's consumers. */
export function checkConsumer(
  required: QueueConsumerRequirement,
  deadLetter: DeadLetterConsumerRequirement | undefined,
  consumers: readonly QueueConsumerConfig[],
): Problem[] {
  const problems: Problem[] = [];
  const dlq = required.deadLetterQueue;
  const consumer = consumers.find((c) => c.queue === required.name);
  if (!consumer) {
    problems.push(
      error("queue-consumer-missing", `queue consumer for ${required.name} is missing: ${required.neededBy} never receives its events`, {
        kind: "add",
        section: required.block.section,
        entry: required.block.entry,
      }),
    );
  } else {
    // One fully corrected block, so whichever fix the user copies leaves nothing else to change.
    const corrected = consumerEntry(withDefaults(consumer, required.block.entry));
    delete corrected.dead_letter_queue;
    if (dlq) corrected.dead_letter_queue = dlq;
    problems.push(...checkSettings(consumer, corrected));
    if (dlq && consumer.dead_letter_queue === undefined) {
      problems.push(
        error(
          "dead-letter-queue-missing",
          `queue consumer for ${required.name} has no dead_letter_queue: messages that exhaust their retries are lost instead of parked in ${dlq}`,
          { kind: "replace", section: "queues.consumers", entry: corrected },
        ),
      );
    } else if (consumer.dead_letter_queue !== undefined && consumer.dead_letter_queue !== dlq) {
      problems.push(
        error(
          "dead-letter-queue-mismatch",
          dlq
            ? `queue consumer for ${required.name} sends failed messages to ${consumer.dead_letter_queue}, but ${required.neededBy} parks them from ${dlq}`
            : `queue consumer for ${required.name} sends failed messages to ${consumer.dead_letter_queue}, but ${required.neededBy} declares no deadLetterQueue: nothing records them`,
          { kind: "replace", section: "queues.consumers", entry: corrected },
        ),
      );
    }
  }
  if (!deadLetter) {
    problems.push(
      warning(
        "dead-letter-queue-undefined",
        `${required.neededBy} declares no deadLetterQueue: a message that exhausts its retries is dropped. Set queue.deadLetterQueue in its definition`,
      ),
    );
    return problems;
  }
  const dlqConsumer = consumers.find((c) => c.queue === deadLetter.name);
  if (!dlqConsumer) {
    problems.push(
      error(
        "dead-letter-consumer-missing",
        `dead-letter queue ${deadLetter.name} has no consumer: ${deadLetter.neededBy}'s failed messages are never recorded for the admin API`,
        { kind: "add", section: deadLetter.block.section, entry: deadLetter.block.entry },
      ),
    );
  } else {
    problems.push(...checkSettings(dlqConsumer, consumerEntry(withDefaults(dlqConsumer, deadLetter.block.entry))));
  }
  return problems;
}

/** A consumer that leaves a setting to wrangler's defaults, with the block that states them (the manifest's values where the file has none). */
export function checkSettings(consumer: QueueConsumerConfig, corrected: ConfigEntry): Problem[] {
  const implicit = EXPLICIT_CONSUMER_SETTINGS.filter((key) => consumer[key] === undefined);
  if (implicit.length === 0) return [];
  return [
    error(
      "queue-consumer-settings-implicit",
      `queue consumer for ${consumer.queue} leaves ${implicit.join(", ")} to the defaults, which differ between wrangler dev and production`,
      { kind: "replace", section: "queues.consumers", entry: corrected },
    ),
  ];
}

/** The consumer with each explicit setting it leaves out taken from the manifest's block. */
export function withDefaults(consumer: QueueConsumerConfig, required: ConfigEntry): QueueConsumerConfig {
  const filled: Record<string, unknown> = { ...consumer };
  for (const key of EXPLICIT_CONSUMER_SETTINGS) filled[key] = consumer[key] ?? required[key];
  return filled as QueueConsumerConfig;
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
