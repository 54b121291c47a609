import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { AggregateClient } from "../../../src/runtime/aggregate-client";
import type { EventEnvelope } from "../../../src/runtime/envelope";
import { runCommand } from "../../support/api-client";
import { CapturedEvents } from "../../support/captured-events";
import { deliver, deliverElsewhere, PROCESS_MANAGERS } from "../support/queue-delivery";
import { loseCheckpoints } from "../../support/read-model";

const captured = new CapturedEvents();

async function orderEvents(id: string): Promise<EventEnvelope[]> {
  const page = await AggregateClient.fromEnv(env).readStream({ aggregate: "order", id, from: 1, limit: 100 });
  return [...(page?.events ?? [])];
}

describe("the fulfilment process manager (stateful, one instance per order), fed through the queue handler", () => {
  let pickedUp: EventEnvelope;
  let delivered: EventEnvelope;

  beforeAll(async () => {
    await captured.install("order/po-1", "delivery/pd-1");
    await runCommand("order/po-1/place", { customerId: "pc", items: [{ sku: "a", quantity: 1, unitPrice: 10 }] });
    await runCommand("delivery/pd-1/schedule", { orderId: "po-1", address: "1 Road" }, { "X-Correlation-Id": "checkout-42" });
    await runCommand("delivery/pd-1/pick-up", {}, { "X-Correlation-Id": "courier-7" });
    await runCommand("delivery/pd-1/deliver", {}, { "X-Correlation-Id": "courier-7" });
    [, pickedUp, delivered] = captured.streamSentTo(PROCESS_MANAGERS, "delivery/pd-1") as [EventEnvelope, EventEnvelope, EventEnvelope];
    expect([pickedUp.type, delivered.type]).toEqual(["DeliveryPickedUp", "DeliveryDelivered"]);
  });

  it("ships the order when its delivery is picked up, with causation, correlation and a deterministic command id", async () => {
    const { acked, ids } = await deliver(PROCESS_MANAGERS, [pickedUp]);
    expect(acked).toEqual(ids);

    const events = await orderEvents("po-1");
    expect(events.map((e) => e.type)).toEqual(["OrderPlaced", "OrderShipped"]);
    expect(events[1]!.metadata).toMatchObject({
      causationId: pickedUp.eventId,
      correlationId: "courier-7",
      commandId: `edge-cqrs:pm:fulfilment:po-1:${pickedUp.eventId}:0`,
    });
    // The new event fans out like any other: the views hear of the shipment.
    expect(captured.streamSentTo("order-details", "order/po-1").map((e) => e.type)).toEqual(["OrderPlaced", "OrderShipped"]);
  });

  it("does not ship twice when the same message comes again", async () => {
    const { acked, ids } = await deliver(PROCESS_MANAGERS, [pickedUp, pickedUp]);
    expect(acked).toEqual(ids);
    expect((await orderEvents("po-1")).map((e) => e.type)).toEqual(["OrderPlaced", "OrderShipped"]);
  });

  it("does not ship twice even when the checkpoint was lost after acting (the command id deduplicates)", async () => {
    await loseCheckpoints("fulfilment");
    const { acked, ids } = await deliverElsewhere(PROCESS_MANAGERS, [pickedUp]);
    expect(acked).toEqual(ids);
    expect((await orderEvents("po-1")).map((e) => e.type)).toEqual(["OrderPlaced", "OrderShipped"]);
  });

  it("marks the order delivered when its delivery is delivered", async () => {
    const { acked, ids } = await deliver(PROCESS_MANAGERS, [delivered]);
    expect(acked).toEqual(ids);
    const events = await orderEvents("po-1");
    expect(events.map((e) => e.type)).toEqual(["OrderPlaced", "OrderShipped", "OrderDelivered"]);
    expect(events[2]!.metadata).toMatchObject({ causationId: delivered.eventId, commandId: `edge-cqrs:pm:fulfilment:po-1:${delivered.eventId}:0` });
    const checkpoint = await env.READ_DB.prepare("SELECT version FROM projection_checkpoints WHERE projection = 'fulfilment' AND stream_id = 'delivery/pd-1'").first();
    expect(checkpoint).toEqual({ version: 3 });
  });

  it("acks order events on its queue without acting on them", async () => {
    const [placed] = captured.streamSentTo("order-details", "order/po-1");
    const { acked, ids } = await deliver(PROCESS_MANAGERS, [placed]);
    expect(acked).toEqual(ids);
    expect(await orderEvents("po-1")).toHaveLength(3);
  });

  it("acks, without retrying forever, an event whose command the order refuses", async () => {
    await captured.install("order/po-2", "delivery/pd-2");
    await runCommand("order/po-2/place", { customerId: "pc", items: [{ sku: "a", quantity: 1, unitPrice: 10 }] });
    await runCommand("order/po-2/cancel", {});
    await runCommand("delivery/pd-2/schedule", { orderId: "po-2", address: "2 Road" });
    await runCommand("delivery/pd-2/pick-up");
    const [, pickUp] = captured.streamSentTo(PROCESS_MANAGERS, "delivery/pd-2");
    const { acked, ids } = await deliver(PROCESS_MANAGERS, [pickUp]);
    expect(acked).toEqual(ids);
    expect((await orderEvents("po-2")).map((e) => e.type)).toEqual(["OrderPlaced", "OrderCancelled"]);
  });

  it.each([
    ["the delivery's event first", ["delivery", "order"]],
    ["the order's event first", ["order", "delivery"]],
  ])("cancels a scheduled delivery when its order is cancelled (%s)", async (label, sequence) => {
    const orderId = `po-c${sequence[0]![0]}`;
    const deliveryId = `pd-c${sequence[0]![0]}`;
    await captured.install(`order/${orderId}`, `delivery/${deliveryId}`);
    await runCommand(`order/${orderId}/place`, { customerId: "pc", items: [{ sku: "a", quantity: 1, unitPrice: 10 }] });
    await runCommand(`delivery/${deliveryId}/schedule`, { orderId, address: "3 Road" });
    await runCommand(`order/${orderId}/cancel`, {});
    const events = { order: captured.streamSentTo(PROCESS_MANAGERS, `order/${orderId}`), delivery: captured.streamSentTo(PROCESS_MANAGERS, `delivery/${deliveryId}`) };
    for (const stream of sequence as ("order" | "delivery")[]) {
      const { acked, ids } = await deliver(PROCESS_MANAGERS, events[stream]);
      expect(acked, label).toEqual(ids);
    }
    const page = await AggregateClient.fromEnv(env).readStream({ aggregate: "delivery", id: deliveryId, from: 1, limit: 10 });
    expect(page?.events.map((e) => e.type)).toEqual(["DeliveryScheduled", "DeliveryCancelled"]);
    expect(page?.events[1]!.metadata.commandId).toMatch(new RegExp(`^edge-cqrs:pm:fulfilment:${orderId}:`));
  });
});
