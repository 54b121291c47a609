import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { AggregateClient } from "../../src/runtime/aggregate-client";
import { postCommand, runCommand } from "../support/api-client";
import { CapturedEvents } from "../support/captured-events";
import { json } from "../support/http";
import { deliver, PROCESS_MANAGERS } from "../support/queue-delivery";

// A process manager's command ids derive from the causing event's id, and a command response
// shows that id to every client. If a client could send the same id as its Idempotency-Key before
// the manager acts, the manager's command would answer idempotency_key_reuse and never run.

const captured = new CapturedEvents();

async function orderEventTypes(id: string): Promise<string[]> {
  const page = await AggregateClient.fromEnv(env).readStream({ aggregate: "order", id, from: 1, limit: 100 });
  return (page?.events ?? []).map((e) => e.type);
}

describe("a client racing the fulfilment manager for its command id", () => {
  it("is refused the manager's id, and the order still ships after pick-up", async () => {
    await captured.install("order/race-1", "delivery/race-d1");
    await runCommand("order/race-1/place", { customerId: "rc", items: [{ sku: "a", quantity: 1, unitPrice: 10 }] });
    await runCommand("delivery/race-d1/schedule", { orderId: "race-1", address: "1 Road" });
    const pickUp = await runCommand("delivery/race-d1/pick-up");
    const eventId = pickUp.events[0]!.eventId;

    // The id the manager will use, as a client can work it out from the response it just got.
    const managerId = `edge-cqrs:pm:fulfilment:${eventId}:0`;
    const taken = await postCommand("order/race-1/add-item", { sku: "b", quantity: 1, unitPrice: 5 }, { "Idempotency-Key": managerId });
    expect(taken.status).toBe(400);
    expect(await json(taken)).toMatchObject({ error: "invalid_header", message: expect.stringContaining("edge-cqrs:") });
    // The id the manager used before ids were namespaced is an ordinary client key now.
    const legacyId = `fulfilment:${eventId}:0`;
    expect((await postCommand("order/race-1/add-item", { sku: "b", quantity: 1, unitPrice: 5 }, { "Idempotency-Key": legacyId })).status).toBe(200);

    const [pickedUp] = captured.streamSentTo(PROCESS_MANAGERS, "delivery/race-d1").filter((e) => e.type === "DeliveryPickedUp");
    expect(pickedUp?.eventId).toBe(eventId);
    const { acked, ids } = await deliver(PROCESS_MANAGERS, [pickedUp]);
    expect(acked).toEqual(ids);
    expect(await orderEventTypes("race-1")).toEqual(["OrderPlaced", "ItemAdded", "OrderShipped"]);
    const shipped = (await AggregateClient.fromEnv(env).readStream({ aggregate: "order", id: "race-1", from: 3, limit: 1 }))!.events[0]!;
    expect(shipped.metadata.commandId).toBe(managerId);
  });
});
