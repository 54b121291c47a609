import { requirementsOf, type Manifest, type QueueProducerRequirement, type SubscriberRef } from "../../runtime/manifest/index.js";
import type { ProjectConfig, QueueProducerConfig } from "../project/index.js";
import { checkConsumer, consumerEntry } from "./consumer-checks.js";
import { error, type Problem, type ProblemCode } from "./problem.js";

/**
 * One producer and one consumer per subscriber queue, with the definition's dead-letter queue,
 * a consumer for each dead-letter queue, explicit consumer settings, and nothing the
 * application does not use: the runtime's queue handler answers every consumer of the Worker
 * and throws on a queue no projection or process manager owns.
 */
export function checkQueues(config: ProjectConfig, manifest: Manifest): Problem[] {
  const producers = config.queues.producers ?? [];
  const consumers = config.queues.consumers ?? [];
  const requiredProducers = requirementsOf(manifest, "queue-producer");
  const requiredConsumers = requirementsOf(manifest, "queue-consumer");
  const deadLetterConsumers = requirementsOf(manifest, "dead-letter-consumer");
  const problems: Problem[] = [];

  for (const required of requiredConsumers.filter((r) => r.role === "subscriber")) {
    const producer = requiredProducers.find((p) => p.role === "subscriber" && sameSubscriber(p.subscriber, required.subscriber));
    if (producer) problems.push(...checkProducer(producer, producers, { code: "queue-producer-missing", consequence: `the outbox cannot send events to ${producer.neededBy}` }));
    const deadLetter = deadLetterConsumers.find((d) => sameSubscriber(d.subscriber, required.subscriber));
    problems.push(...checkConsumer(required, deadLetter, consumers));
  }

  for (const required of requiredProducers.filter((r) => r.role === "integration events" && !producers.some((p) => p.binding === r.name))) {
    problems.push(
      error("queue-producer-missing", `queue producer ${required.name} is missing: a publisher sends its CloudEvents through it`, {
        kind: "add",
        section: required.block.section,
        entry: required.block.entry,
      }),
    );
  }

  // The stream catalog's queue is the runtime's own (checked in stream-catalog-checks), never stray.
  const bindings = new Set(requiredProducers.map((r) => r.name));
  for (const stray of producers.filter((p) => !bindings.has(p.binding))) {
    problems.push(
      error("queue-producer-stray", `queue producer ${stray.binding} (queue ${stray.queue}) belongs to no projection, process manager or publisher of the application`, {
        kind: "remove",
        section: "queues.producers",
        entry: { binding: stray.binding, queue: stray.queue },
      }),
    );
  }
  const owned = new Set([...requiredConsumers, ...deadLetterConsumers].map((r) => r.name));
  for (const stray of consumers.filter((c) => !owned.has(c.queue))) {
    problems.push(
      error(
        "queue-consumer-stray",
        `queue consumer for ${stray.queue} belongs to no projection, process manager or publisher of the application: the Worker would fail every batch it receives`,
        { kind: "remove", section: "queues.consumers", entry: consumerEntry(stray) },
      ),
    );
  }
  return problems;
}

/** The producer the manifest requires: missing (reported with `missing`'s code and consequence), or sending to another queue. */
export function checkProducer(
  required: QueueProducerRequirement,
  producers: readonly QueueProducerConfig[],
  missing: { readonly code: ProblemCode; readonly consequence: string },
): Problem[] {
  const producer = producers.find((p) => p.binding === required.name);
  const fix = { section: required.block.section, entry: required.block.entry };
  if (!producer) return [error(missing.code, `queue producer ${required.name} is missing: ${missing.consequence}`, { kind: "add", ...fix })];
  if (required.queue !== undefined && producer.queue !== required.queue) {
    return [
      error("queue-producer-wrong-queue", `queue producer ${required.name} sends to queue ${producer.queue}, but ${required.neededBy} consumes ${required.queue}`, {
        kind: "replace",
        ...fix,
      }),
    ];
  }
  return [];
}

function sameSubscriber(a: SubscriberRef | undefined, b: SubscriberRef | undefined): boolean {
  return a !== undefined && b !== undefined && a.kind === b.kind && a.name === b.name;
}
