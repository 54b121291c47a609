import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_REPLAY_SENDS_PER_REQUEST } from "../../src/runtime/admin";
import type { EventEnvelope } from "../../src/runtime/envelope";
import { byteLength, MAX_BATCH_MESSAGES } from "../../src/runtime/outbox";
import { getQuery, runCommand } from "../support/api-client";
import { CapturedEvents } from "../support/captured-events";
import { adminGet, call, ADMIN_TOKEN, json } from "../support/http";
import { deliver, ORDER_DETAILS } from "../support/queue-delivery";
import { rows } from "../support/read-model";

// Replaying dead letters sends them back through the real local queue to the projector. It must
// fit the queue's limits (100 messages and 256 KB per sendBatch), never be blocked by a row it
// cannot send, and do a bounded amount of work per request, saying how much is left.
const DEAD_LETTER_QUEUE = "order-details-dlq";
const ORDERS = 30;

type Outcome = { replayed: number; quarantined: number; remaining: number };
const replay = async (): Promise<{ status: number; body: Outcome }> => {
  const response = await call("/admin/projections/order-details/dead-letters/replay", { method: "POST", headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  return { status: response.status, body: await json<Outcome>(response) };
};

/** An order of 100 lines whose SKUs are 3-byte characters: its OrderPlaced envelope is ~24 KB. */
const heavyItems = Array.from({ length: 100 }, (_, i) => ({ sku: `${String(i).padStart(3, "0")}${"€".repeat(61)}`, quantity: 1, unitPrice: 1 }));

/** Waits (through the query's own consistency wait) until the order's view reflects its token. */
async function viewOf(id: string, token: string): Promise<Response> {
  return getQuery(`/orders/${id}?consistentWith=${token}&wait=10000`);
}

/** Waits until the projector has consumed `count` more messages than `before` (real queue, in the background). */
async function consumed(before: number, count: number): Promise<void> {
  for (;;) {
    const [stats] = await rows<{ messages: number }>("SELECT messages FROM projection_stats WHERE projection = 'order-details'");
    if ((stats?.messages ?? 0) >= before + count) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("dead-letter replay", () => {
  const captured = new CapturedEvents();
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    const ids = Array.from({ length: ORDERS }, (_, i) => `heavy-${i}`);
    await captured.install(...ids.map((id) => `order/${id}`), "order/late", "order/small");
    for (const id of ids) tokens.set(id, (await runCommand(`order/${id}/place`, { customerId: "c-replay", items: heavyItems })).token);
    // The outbox's sends were captured: the projector never saw these; they go straight to the DLQ.
    const envelopes = ids.map((id) => captured.streamSentTo(ORDER_DETAILS, `order/${id}`)[0]!);
    expect(byteLength(JSON.stringify(envelopes[0]))).toBeGreaterThan(20_000);
    const { acked } = await deliver(DEAD_LETTER_QUEUE, envelopes);
    expect(acked).toHaveLength(ORDERS);
  });

  it("replays 30 parked 20 KB events in batches the queue accepts, and deletes them", async () => {
    expect(await replay()).toEqual({ status: 202, body: { replayed: ORDERS, quarantined: 0, remaining: 0 } });
    expect(await rows("SELECT message_id FROM dead_letters")).toEqual([]);
    for (const [id, token] of tokens) {
      const view = await viewOf(id, token);
      expect(view.status).toBe(200);
      expect(((await view.json()) as { items: unknown[] }).items).toHaveLength(100);
    }
  });

  it("quarantines rows it cannot send, so they never block the rows behind them", async () => {
    const token = (await runCommand("order/late/place", { customerId: "c-replay", items: [{ sku: "tea", quantity: 2, unitPrice: 100 }] })).token;
    await deliver(DEAD_LETTER_QUEUE, captured.streamSentTo(ORDER_DETAILS, "order/late"));
    // Older than anything parked: the head of the line, where replay always starts.
    await env.READ_DB.batch([
      env.READ_DB.prepare("INSERT INTO dead_letters (message_id, projection, body, parked_at) VALUES ('bad-1', 'order-details', 'not json {', '2000-01-01T00:00:00.000Z')"),
      env.READ_DB.prepare(`INSERT INTO dead_letters (message_id, projection, body, parked_at) VALUES ('bad-2', 'order-details', '{"hello":"world"}', '2000-01-01T00:00:00.001Z')`),
    ]);

    expect(await replay()).toEqual({ status: 202, body: { replayed: 1, quarantined: 2, remaining: 0 } });
    expect((await viewOf("late", token)).status).toBe(200);

    const listing = await adminGet("/admin/projections/order-details/dead-letters");
    expect(listing.status).toBe(200);
    const { deadLetters } = await json<{ deadLetters: Record<string, unknown>[] }>(listing);
    expect(deadLetters).toEqual([
      expect.objectContaining({ messageId: "bad-1", body: "not json {", quarantined: { at: expect.any(String), reason: expect.stringMatching(/not JSON/) } }),
      expect.objectContaining({ messageId: "bad-2", body: { hello: "world" }, quarantined: { at: expect.any(String), reason: expect.stringMatching(/not an event envelope/) } }),
    ]);
    // Quarantined rows stay for the operator and are not tried again.
    expect(await replay()).toEqual({ status: 202, body: { replayed: 0, quarantined: 0, remaining: 0 } });
    await env.READ_DB.prepare("DELETE FROM dead_letters").run();
  });

  it("does a bounded amount of work per request and says how much is left", async () => {
    await runCommand("order/small/place", { customerId: "c-replay", items: [{ sku: "tea", quantity: 1, unitPrice: 100 }] });
    const [placed] = captured.streamSentTo(ORDER_DETAILS, "order/small") as [EventEnvelope];
    const { acked } = await deliver(ORDER_DETAILS, [placed]);
    expect(acked).toHaveLength(1);
    // More parked copies of an applied event than one request may send: replaying them is harmless.
    const perRequest = MAX_REPLAY_SENDS_PER_REQUEST * MAX_BATCH_MESSAGES;
    const parked = perRequest + 150;
    await env.READ_DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
       INSERT INTO dead_letters (message_id, projection, stream_id, version, body, parked_at)
       SELECT 'copy-' || printf('%05d', i), 'order-details', 'order/small', 1, ?2, '2001-01-01T00:00:00.000Z' FROM n`,
    )
      .bind(parked, JSON.stringify(placed))
      .run();
    const [before] = await rows<{ messages: number }>("SELECT messages FROM projection_stats WHERE projection = 'order-details'");

    expect(await replay()).toEqual({ status: 202, body: { replayed: perRequest, quarantined: 0, remaining: parked - perRequest } });
    expect(await replay()).toEqual({ status: 202, body: { replayed: parked - perRequest, quarantined: 0, remaining: 0 } });

    // Every copy reached the projector, which applied none of them twice.
    await consumed(before?.messages ?? 0, parked);
    const [item] = await rows<{ quantity: number }>("SELECT quantity FROM order_details_items WHERE order_id = 'small'");
    expect(item?.quantity).toBe(1);
  });
});
