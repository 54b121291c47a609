import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import { beforeAll, describe, expect, it } from "vitest";
import type { EventEnvelope } from "../../src/runtime/envelope";
import { runCommand } from "../support/api-client";
import { CapturedEvents } from "../support/captured-events";
import { deliver, ORDER_DETAILS } from "../support/queue-delivery";
import { rows } from "../support/read-model";

// A message the projector gave up on reaches the projection's dead-letter queue; its consumer
// parks it in D1 with the error that made the projector give up, visible to operators.
const DEAD_LETTER_QUEUE = "order-details-dlq";

describe("dead-letter queue consumer", () => {
  const captured = new CapturedEvents();
  let placed: EventEnvelope;

  beforeAll(async () => {
    await captured.install("order/poison");
    await runCommand("order/poison/place", { customerId: "c-dlq", items: [{ sku: "tea", quantity: 1, unitPrice: 100 }] });
    [placed] = captured.streamSentTo(ORDER_DETAILS, "order/poison") as [EventEnvelope];
    // A row the OrderPlaced batch will collide with: the projection fails on this stream every time.
    await env.READ_DB.prepare("INSERT INTO order_details_items (order_id, sku, quantity, unit_price, position) VALUES ('poison', 'tea', 9, 9, 0)").run();
  });

  it("records why a stream's messages failed while they are retried", async () => {
    const { retried, ids } = await deliver(ORDER_DETAILS, [placed]);
    expect(retried).toEqual(ids);
    const [failure] = await rows<{ version: number; error: string }>("SELECT version, error FROM projection_errors WHERE projection = 'order-details' AND stream_id = 'order/poison'");
    expect(failure?.version).toBe(1);
    expect(failure?.error).toMatch(/UNIQUE constraint failed/);
  });

  it("parks a dead letter in D1 with its body and that error, and acks it", async () => {
    const { result, acked, ids } = await deliver(DEAD_LETTER_QUEUE, [placed]);
    expect(acked).toEqual(ids);
    expect(result.retryMessages).toEqual([]);
    const parked = await rows<{ message_id: string; projection: string; stream_id: string; version: number; body: string; error: string }>(
      "SELECT * FROM dead_letters WHERE projection = 'order-details'",
    );
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ message_id: ids[0], stream_id: "order/poison", version: 1 });
    expect(JSON.parse(parked[0]!.body)).toEqual(placed);
    expect(parked[0]!.error).toMatch(/UNIQUE constraint failed/);
  });

  it("parks a redelivered dead letter once", async () => {
    const [first] = await rows<{ message_id: string }>("SELECT message_id FROM dead_letters");
    // Queues are at-least-once: the DLQ consumer may see the same message id again.
    const batch = createMessageBatch(DEAD_LETTER_QUEUE, [{ id: first!.message_id, timestamp: new Date(), attempts: 2, body: placed }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual([first!.message_id]);
    expect(await rows("SELECT message_id FROM dead_letters")).toHaveLength(1);
  });

  it("leaves the view and checkpoint untouched", async () => {
    expect(await rows("SELECT * FROM order_details WHERE id = 'poison'")).toEqual([]);
    expect(await rows("SELECT * FROM projection_checkpoints WHERE stream_id = 'order/poison'")).toEqual([]);
  });
});
