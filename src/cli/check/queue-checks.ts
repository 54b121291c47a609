import type { ApplicationDescriptor, ProjectConfig } from "../project/index.js";
import { checkConsumer, consumerEntry, describe } from "./consumer-checks.js";
import { error, type Problem } from "./problem.js";
import { STREAM_CATALOG_BINDING, STREAM_CATALOG_QUEUE } from "./stream-catalog-checks.js";

/**
 * One producer and one consumer per subscriber queue, with the definition's dead-letter queue,
 * a consumer for each dead-letter queue, explicit consumer settings, and nothing the
 * application does not use: the runtime's queue handler answers every consumer of the Worker
 * and throws on a queue no projection or process manager owns.
 */
export function checkQueues(config: ProjectConfig, app: ApplicationDescriptor): Problem[] {
  const producers = config.queues.producers ?? [];
  const consumers = config.queues.consumers ?? [];
  const problems: Problem[] = [];

  for (const s of app.subscribers) {
    const producer = producers.find((p) => p.binding === s.queue.binding);
    if (!producer) {
      problems.push(
        error("queue-producer-missing", `queue producer ${s.queue.binding} is missing: the outbox cannot send events to ${describe(s)}`, {
          kind: "add",
          section: "queues.producers",
          entry: { binding: s.queue.binding, queue: s.queue.name },
        }),
      );
    } else if (producer.queue !== s.queue.name) {
      problems.push(
        error(
          "queue-producer-wrong-queue",
          `queue producer ${s.queue.binding} sends to queue ${producer.queue}, but ${describe(s)} consumes ${s.queue.name}`,
          { kind: "replace", section: "queues.producers", entry: { binding: s.queue.binding, queue: s.queue.name } },
        ),
      );
    }
    problems.push(...checkConsumer(s, consumers));
  }

  for (const binding of app.outgoingProducers.filter((b) => !producers.some((p) => p.binding === b))) {
    problems.push(
      error("queue-producer-missing", `queue producer ${binding} is missing: a publisher sends its CloudEvents through it`, {
        kind: "add",
        section: "queues.producers",
        entry: { binding, queue: "<the integration-events queue>" },
      }),
    );
  }

  // The stream catalog's queue is the runtime's own (checked in stream-catalog-checks), never stray.
  const bindings = new Set([...app.subscribers.map((s) => s.queue.binding), ...app.outgoingProducers, STREAM_CATALOG_BINDING]);
  for (const stray of producers.filter((p) => !bindings.has(p.binding))) {
    problems.push(
      error("queue-producer-stray", `queue producer ${stray.binding} (queue ${stray.queue}) belongs to no projection, process manager or publisher of the application`, {
        kind: "remove",
        section: "queues.producers",
        entry: { binding: stray.binding, queue: stray.queue },
      }),
    );
  }
  const owned = new Set([STREAM_CATALOG_QUEUE, ...app.subscribers.flatMap((s) => [s.queue.name, ...(s.queue.deadLetterQueue ? [s.queue.deadLetterQueue] : [])])]);
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
