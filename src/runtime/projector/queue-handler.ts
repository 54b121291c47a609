import type { Consumer } from "./consumer.js";

/** A Worker's `queue()` handler, without the execution context it does not use. */
export type QueueHandler = (batch: MessageBatch<unknown>, env: object) => Promise<void>;

/**
 * The Worker's `queue()` handler: hands each batch to the consumer of its queue, or of its
 * dead-letter queue. One Worker can consume every queue, as `npm start` does, or a Worker can be
 * deployed per projector with only that queue bound: same code.
 */
export function createQueueHandler(consumers: readonly Consumer[]): QueueHandler {
  const byQueue = new Map<string, Consumer>();
  const byDeadLetterQueue = new Map<string, Consumer>();
  for (const consumer of consumers) {
    if (byQueue.has(consumer.queue)) throw new Error(`queue ${consumer.queue} is claimed by two subscribers`);
    byQueue.set(consumer.queue, consumer);
    if (consumer.deadLetterQueue !== undefined && consumer.consumeDeadLetters) byDeadLetterQueue.set(consumer.deadLetterQueue, consumer);
  }
  return async function queue(batch, env) {
    // A dead-letter queue's batch is parked even should a consumer's own queue bear its name.
    const parking = byDeadLetterQueue.get(batch.queue);
    if (parking?.consumeDeadLetters) return parking.consumeDeadLetters(batch, env);
    const consumer = byQueue.get(batch.queue);
    if (!consumer) throw new Error(`no projection or process manager consumes queue ${batch.queue}`);
    await consumer.consume(batch, env);
  };
}
