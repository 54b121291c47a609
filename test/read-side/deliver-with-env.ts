import { createExecutionContext, createMessageBatch, getQueueResult, type QueueResult } from "cloudflare:test";
import worker from "../../src/index";

let nextMessageId = 0;

/**
 * Hands `bodies` to the Worker's `queue()` handler as one batch on `queue`, like
 * test/support/queue-delivery.ts, but with the env the test gives: real bindings, some wrapped.
 */
export async function deliverWithEnv(
  env: Env,
  queue: string,
  bodies: readonly unknown[],
  attempts = 1,
): Promise<{ ids: string[]; result: QueueResult; acked: string[]; retried: string[] }> {
  const ids = bodies.map(() => `env-msg-${++nextMessageId}`);
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: ids[i]!, timestamp: new Date(), attempts, body: structuredClone(body) })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  const result = await getQueueResult(batch, ctx);
  return { ids, result, acked: result.explicitAcks, retried: result.retryMessages.map((m) => m.msgId) };
}
