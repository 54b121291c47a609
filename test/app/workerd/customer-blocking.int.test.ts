import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AggregateClient } from "../../../src/runtime/aggregate-client";
import { useCurrentStateReader } from "../../../src/runtime/aggregate-object";
import type { EventEnvelope } from "../../../src/runtime/envelope";
import { postCommand, runCommand } from "../../support/api-client";
import { CapturedEvents } from "../../support/captured-events";
import { objectOf, storedRows } from "../../support/http";
import { deliver } from "../support/queue-delivery";

// A blocked customer's new order is refused by place's precondition; an order that slips through
// the window (it read the customer just before the block committed) is cancelled by the
// blocked-customer-orders process manager, whichever of the two events reaches it first.

const BLOCKED_CUSTOMER_ORDERS = "blocked-customer-orders";
const items = [{ sku: "tea", quantity: 1, unitPrice: 450 }];

async function orderEvents(id: string): Promise<EventEnvelope[]> {
  const page = await AggregateClient.fromEnv(env).readStream({ aggregate: "order", id, from: 1, limit: 100 });
  return [...(page?.events ?? [])];
}

/** Places an order whose precondition reads the customer, then lets the block commit before the order does. */
async function placeWhileBlocking(orderId: string, customerId: string): Promise<void> {
  await runInDurableObject(objectOf("order", orderId), (instance) =>
    instance[useCurrentStateReader]((reader) => ({
      async readState(request) {
        const read = await reader.readState(request);
        await runCommand(`customer/${customerId}/block`, { reason: "chargebacks" });
        return read;
      },
    })),
  );
  await runCommand(`order/${orderId}/place`, { customerId, items });
}

describe("a blocked customer's orders", () => {
  it("refuses a blocked customer's new order with 422 customer_blocked, and stores nothing", async () => {
    await runCommand("customer/cb-1/register", { name: "Ada" });
    await runCommand("customer/cb-1/block", { reason: "chargebacks" });
    const response = await postCommand("order/ob-1/place", { customerId: "cb-1", items });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: "rejected", reason: "customer_blocked" });
    expect(await storedRows("order", "ob-1")).toEqual({ streams: 0, events: 0, commands: 0 });

    await runCommand("customer/cb-1/unblock");
    expect((await runCommand("order/ob-1/place", { customerId: "cb-1", items })).version).toBe(1);
  });

  it.each([
    ["the order first", "cb-2", "ob-2", (placed: EventEnvelope, blocked: EventEnvelope) => [placed, blocked]],
    ["the block first", "cb-3", "ob-3", (placed: EventEnvelope, blocked: EventEnvelope) => [blocked, placed]],
  ])("cancels an order placed in the window, hearing %s", async (_order, customerId, orderId, arrival) => {
    const captured = new CapturedEvents();
    await captured.install(`order/${orderId}`, `customer/${customerId}`);
    await runCommand(`customer/${customerId}/register`, { name: "Bob" });
    await placeWhileBlocking(orderId, customerId);

    const [placed] = captured.streamSentTo(BLOCKED_CUSTOMER_ORDERS, `order/${orderId}`) as [EventEnvelope];
    const blocked = captured.streamSentTo(BLOCKED_CUSTOMER_ORDERS, `customer/${customerId}`).find((e) => e.type === "CustomerBlocked")!;
    // The window, on the record: the order was accepted, placed after the block.
    expect((placed.data as { placedAt: string }).placedAt >= (blocked.data as { blockedAt: string }).blockedAt).toBe(true);

    for (const event of arrival(placed, blocked)) {
      const { acked, ids } = await deliver(BLOCKED_CUSTOMER_ORDERS, [event]);
      expect(acked).toEqual(ids);
    }
    const deadline = Date.now() + 20_000;
    let events = await orderEvents(orderId);
    while (events.length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      events = await orderEvents(orderId);
    }
    expect(events.map((e) => e.type)).toEqual(["OrderPlaced", "OrderCancelled"]);
    expect(events[1]!.data).toMatchObject({ reason: "customer_blocked" });
  });
});
