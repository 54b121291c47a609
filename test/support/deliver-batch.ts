import { createExecutionContext, createMessageBatch, getQueueResult, type QueueResult } from "cloudflare:test";

/** What a consumer did with a hand-delivered batch: the message ids it acked and retried. */
export interface Delivery {
  readonly ids: string[];
  readonly result: QueueResult;
  readonly acked: string[];
  readonly retried: string[];
}

/** Any Worker's `queue()` handler, whatever its Env. */
export interface QueueConsumer<E> {
  queue(batch: MessageBatch, env: E, ctx: ExecutionContext): Promise<void>;
}

let nextMessageId = 0;

/**
 * Hands `bodies` to a Worker's `queue()` handler as one batch on `queue`, the way the Queues
 * runtime would, and reports which messages were acked and which retried.
 */
export async function deliverBatch<E>(worker: QueueConsumer<E>, workerEnv: E, queue: string, bodies: readonly unknown[], attempts = 1): Promise<Delivery> {
  const ids = bodies.map(() => `batch-msg-${++nextMessageId}`);
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: ids[i]!, timestamp: new Date(), attempts, body: structuredClone(body) })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, workerEnv, ctx);
  const result = await getQueueResult(batch, ctx);
  return { ids, result, acked: result.explicitAcks, retried: result.retryMessages.map((m) => m.msgId) };
}
