import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { SWEEP_GRACE_MS } from "../../src/runtime/stream-catalog";
import { runCommand } from "../support/api-client";
import { CapturedEvents } from "../support/captured-events";
import { adminGet, json } from "../support/http";
import { deliver, deliverInOrder } from "../support/queue-delivery";
import { rows } from "../support/read-model";

const STREAM_CATALOG = "stream-catalog";
const ORDERS = ["order/sw-1", "order/sw-2"];
const DELIVERY = "delivery/sw-d1";
// Each subscriber's producer binding and the queue it sends to (wrangler.toml).
const SUBSCRIBER_QUEUES = { ORDER_DETAILS_QUEUE: "order-details", ORDER_HISTORY_QUEUE: "order-history", PROCESS_MANAGER_QUEUE: "process-managers" };

/** The Worker's env with each subscriber's real producer wrapped so its sends are kept instead of queued. */
function capturingSubscriberQueues(): { env: Env; sent: { queue: string; body: unknown }[] } {
  const sent: { queue: string; body: unknown }[] = [];
  const wrapped: Record<string, unknown> = { ...env };
  for (const [binding, queue] of Object.entries(SUBSCRIBER_QUEUES)) {
    wrapped[binding] = {
      send: async (body: unknown) => void sent.push({ queue, body }),
      sendBatch: async (messages: { body: unknown }[]) => void sent.push(...messages.map((m) => ({ queue, body: m.body }))),
    };
  }
  return { env: wrapped as unknown as Env, sent };
}

async function lags(): Promise<Record<string, unknown>> {
  const { projections } = await json<{ projections: { name: string; lag: unknown }[] }>(await adminGet("/admin/projections"));
  return Object.fromEntries(projections.map((p) => [p.name, p.lag]));
}

// Messages lost between the outbox and the projectors (a local queue dropped on restart, a message
// past its retention) leave views behind until the stream's next command, unless the sweep heals them.
describe("the stream sweep", () => {
  it("brings every view level with its stream after messages were dropped, with no new command", async () => {
    const captured = new CapturedEvents();
    await captured.install(...ORDERS, DELIVERY);
    for (const stream of ORDERS) await runCommand(`${stream}/place`, { customerId: "c-sw", items: [{ sku: "tea", quantity: 1, unitPrice: 100 }] });
    await runCommand("order/sw-1/add-item", { sku: "jam", quantity: 2, unitPrice: 300 });
    await runCommand(`${DELIVERY}/schedule`, { orderId: "sw-1", address: "1 Road" });
    // Only the catalog's messages arrive; every subscriber's message is lost.
    await deliver(STREAM_CATALOG, captured.sentTo(STREAM_CATALOG));
    const sentByCommands = captured.batches.length;
    expect(await lags()).toEqual({
      "order-details": { events: 4, streams: 3, oldestMs: expect.any(Number) },
      "order-history": { events: 4, streams: 3, oldestMs: expect.any(Number) },
      fulfilment: { events: 1, streams: 1, oldestMs: expect.any(Number) },
    });

    // A run inside the grace period leaves the streams alone: their messages may still be on the way.
    const early = capturingSubscriberQueues();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/5 * * * *" }), early.env, createExecutionContext());
    expect(early.sent).toEqual([]);

    const sweep = capturingSubscriberQueues();
    const later = Date.now() + SWEEP_GRACE_MS + 1_000;
    await worker.scheduled(createScheduledController({ scheduledTime: later, cron: "*/5 * * * *" }), sweep.env, createExecutionContext());
    // One head per stream behind, to the queue of each subscriber that is behind on it.
    expect(sweep.sent.map((s) => [s.queue, (s.body as { streamId: string; version: number }).streamId, (s.body as { version: number }).version]).sort()).toEqual(
      [
        ["order-details", "order/sw-1", 2],
        ["order-details", "order/sw-2", 1],
        ["order-details", DELIVERY, 1],
        ["order-history", "order/sw-1", 2],
        ["order-history", "order/sw-2", 1],
        ["order-history", DELIVERY, 1],
        ["process-managers", DELIVERY, 1],
      ].sort(),
    );

    for (const { queue, body } of sweep.sent) await deliverInOrder(queue, [body as never]);
    expect(await lags()).toEqual({
      "order-details": { events: 0, streams: 0, oldestMs: 0 },
      "order-history": { events: 0, streams: 0, oldestMs: 0 },
      fulfilment: { events: 0, streams: 0, oldestMs: 0 },
    });
    expect(await rows("SELECT id, version FROM order_details ORDER BY id")).toEqual([
      { id: "sw-1", version: 2 },
      { id: "sw-2", version: 1 },
    ]);
    // The sweep healed from the aggregates: no command ran, so the outbox sent nothing more.
    expect(captured.batches.length).toBe(sentByCommands);
  });
});
