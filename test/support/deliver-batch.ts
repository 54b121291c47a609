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

/** Delivers each envelope as its own batch through `deliver`, in the given order; every message must be acked. */
export async function deliverEachInOrder(
  deliver: (queue: string, bodies: readonly unknown[]) => Promise<Delivery>,
  queue: string,
  envelopes: readonly { readonly streamId: string; readonly version: number }[],
): Promise<void> {
  for (const envelope of envelopes) {
    const { acked, retried, ids } = await deliver(queue, [envelope]);
    if (retried.length > 0 || acked.length !== ids.length) {
      throw new Error(`${queue}: ${envelope.streamId} v${envelope.version} was not acked (retried: ${retried.join(", ")})`);
    }
  }
}
