import { createExecutionContext, createMessageBatch, getQueueResult, type QueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import type { EventEnvelope } from "../../src/runtime/envelope";

/** The queues the example application's subscribers consume (src/app/queues.ts). */
export const ORDER_DETAILS = "order-details";
export const ORDER_HISTORY = "order-history";
export const PROCESS_MANAGERS = "process-managers";
export const PROJECTION_QUEUES = [ORDER_DETAILS, ORDER_HISTORY] as const;

let nextMessageId = 0;

/** What the consumer did with a hand-delivered batch: the message ids it acked and retried. */
export interface Delivery {
  readonly ids: string[];
  readonly result: QueueResult;
  readonly acked: string[];
  readonly retried: string[];
}

/**
 * Hands `bodies` to the Worker's `queue()` handler as one batch on `queue`, the way the Queues
 * runtime would, and reports which messages were acked and which retried. `workerEnv` replaces the
 * Worker's env, e.g. with a wrapped producer binding.
 */
export async function deliver(queue: string, bodies: readonly unknown[], attempts = 1, workerEnv: Env = env): Promise<Delivery> {
  const ids = bodies.map(() => `msg-${++nextMessageId}`);
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: ids[i]!, timestamp: new Date(), attempts, body: structuredClone(body) })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, workerEnv, ctx);
  const result = await getQueueResult(batch, ctx);
  return { ids, result, acked: result.explicitAcks, retried: result.retryMessages.map((m) => m.msgId) };
}

/** Delivers each envelope as its own batch, in the given order; every message must be acked. */
export async function deliverInOrder(queue: string, envelopes: readonly EventEnvelope[]): Promise<void> {
  for (const envelope of envelopes) {
    const { acked, retried, ids } = await deliver(queue, [envelope]);
    if (retried.length > 0 || acked.length !== ids.length) {
      throw new Error(`${queue}: ${envelope.streamId} v${envelope.version} was not acked (retried: ${retried.join(", ")})`);
    }
  }
}
