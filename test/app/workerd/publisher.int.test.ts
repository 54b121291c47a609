import { env } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ORDER_EVENTS_SOURCE, orderEventsOut } from "../../../src/app/order-events";
import type { EventEnvelope } from "../../../src/runtime/envelope";
import { MAX_BATCH_MESSAGES } from "../../../src/runtime/outbox";
import type { CloudEvent } from "edge-cqrs";
import cancelledSchema from "../../../schema/contracts/public/com.example.order.cancelled.json";
import deliveredSchema from "../../../schema/contracts/public/com.example.order.delivered.json";
import placedSchema from "../../../schema/contracts/public/com.example.order.placed.json";
import shippedSchema from "../../../schema/contracts/public/com.example.order.shipped.json";
import { runCommand, runInternalCommand } from "../../support/api-client";
import { CapturedEvents } from "../../support/captured-events";
import { schemaViolations } from "../support/json-schema-check";
import { deliver } from "../support/queue-delivery";

/** The publisher's own queue (src/app/queues.ts), which the outbox feeds with every order event. */
const ORDER_INTEGRATION = "order-integration";

/** The checked-in JSON Schemas a consumer reads, by CloudEvent type. */
const PUBLISHED_SCHEMAS: Record<string, Record<string, unknown>> = {
  "com.example.order.placed": placedSchema,
  "com.example.order.shipped": shippedSchema,
  "com.example.order.delivered": deliveredSchema,
  "com.example.order.cancelled": cancelledSchema,
};

/** Attributes CloudEvents 1.0 requires of every event, and the optional ones a publisher always sets. */
const REQUIRED_ATTRIBUTES = ["specversion", "id", "source", "type"] as const;
const SET_ATTRIBUTES = ["time", "subject", "datacontenttype", "data"] as const;

const realIntegrationQueue = env.INTEGRATION_EVENTS_QUEUE;

/**
 * The real local integration-events producer, wrapped: every `sendBatch` is recorded, then passed
 * on to the real queue, unless the queue is marked down, when the call fails and nothing is sent.
 */
class IntegrationQueue {
  readonly sent: CloudEvent[][] = [];
  down = false;

  /**
   * The Worker's env with this wrapper in place of `INTEGRATION_EVENTS_QUEUE`. Defined, not
   * assigned: an assignment would reach the `env` proxy through the prototype and replace the
   * binding for everyone.
   */
  readonly env: Env = Object.defineProperty(Object.create(env) as Env, "INTEGRATION_EVENTS_QUEUE", {
    value: {
      send: () => Promise.reject(new Error("publishers send in batches")),
      sendBatch: async (messages: Iterable<MessageSendRequest<CloudEvent>>, options?: QueueSendBatchOptions) => {
        if (this.down) throw new Error("integration-events is unavailable (test)");
        const batch = [...messages];
        this.sent.push(batch.map((m) => structuredClone(m.body)));
        return realIntegrationQueue.sendBatch(batch, options);
      },
    },
  });

  events(): CloudEvent[] {
    return this.sent.flat();
  }
}

const captured = new CapturedEvents();
const published = (stream: string): EventEnvelope[] => captured.streamSentTo(ORDER_INTEGRATION, stream);

describe("the order events publisher, fed through the queue handler", () => {
  beforeAll(async () => {
    await captured.install("order/ie-1", "order/ie-2", "delivery/ie-d");
    await runCommand("order/ie-1/place", { customerId: "ic-1", items: [{ sku: "tea", quantity: 2, unitPrice: 450 }, { sku: "cup", quantity: 1, unitPrice: 1200 }] });
    await runCommand("order/ie-1/add-item", { sku: "pot", quantity: 1, unitPrice: 3000 });
    await runInternalCommand("order/ie-1/ship");
    await runInternalCommand("order/ie-1/mark-delivered");
    await runCommand("order/ie-2/place", { customerId: "ic-2", items: [{ sku: "tea", quantity: 1, unitPrice: 450 }] });
    await runCommand("order/ie-2/cancel", { reason: "changed my mind" });
    await runCommand("delivery/ie-d/schedule", { orderId: "ie-1", address: "1 Road" });
  });

  it("is fed every order event by the outbox, and no delivery event", () => {
    expect(published("order/ie-1").map((e) => e.type)).toEqual(["OrderPlaced", "ItemAdded", "OrderShipped", "OrderDelivered"]);
    expect(published("order/ie-2").map((e) => e.type)).toEqual(["OrderPlaced", "OrderCancelled"]);
    expect(published("delivery/ie-d")).toEqual([]);
  });

  it("publishes the mapped events as CloudEvents 1.0 that satisfy the public schemas, and acks them after the send", async () => {
    const integration = new IntegrationQueue();
    const envelopes = [...published("order/ie-1"), ...published("order/ie-2")];
    const { acked, retried, ids } = await deliver(ORDER_INTEGRATION, envelopes, 1, integration.env);
    expect(retried).toEqual([]);
    expect(acked.sort()).toEqual([...ids].sort());

    const events = integration.events();
    expect(events.map((e) => `${e.subject}:${e.type}`).sort()).toEqual(
      ["ie-1:com.example.order.placed", "ie-1:com.example.order.shipped", "ie-1:com.example.order.delivered", "ie-2:com.example.order.placed", "ie-2:com.example.order.cancelled"].sort(),
    );
    for (const event of events) {
      for (const attribute of [...REQUIRED_ATTRIBUTES, ...SET_ATTRIBUTES]) expect(event, attribute).toHaveProperty(attribute);
      for (const attribute of REQUIRED_ATTRIBUTES) expect(event[attribute], attribute).toMatch(/\S/);
      expect(event.specversion).toBe("1.0");
      expect(event.datacontenttype).toBe("application/json");
      expect(event.source).toBe(ORDER_EVENTS_SOURCE);
      expect(new Date(event.time).toISOString()).toBe(event.time);

      const source = envelopes.find((e) => e.eventId === event.id)!;
      expect(source, `the source event of ${event.id}`).toBeDefined();
      expect(event).toMatchObject({ subject: source.aggregateId, time: source.metadata.recordedAt });

      const contract = orderEventsOut.publishes.find((p) => p.type === event.type)!;
      expect(contract.schema.safeParse(event).success).toBe(true);
      expect(schemaViolations(event, PUBLISHED_SCHEMAS[event.type]!)).toEqual([]);
    }
  });

  it("publishes a public shape of its own, not the internal event's data", async () => {
    const integration = new IntegrationQueue();
    const [placed] = published("order/ie-1");
    await deliver(ORDER_INTEGRATION, [placed], 1, integration.env);
    expect(integration.events()).toEqual([
      {
        specversion: "1.0",
        id: placed!.eventId,
        source: ORDER_EVENTS_SOURCE,
        type: "com.example.order.placed",
        time: placed!.metadata.recordedAt,
        subject: "ie-1",
        datacontenttype: "application/json",
        data: {
          orderId: "ie-1",
          customerId: "ic-1",
          lines: [
            { sku: "tea", quantity: 2, unitPriceCents: 450 },
            { sku: "cup", quantity: 1, unitPriceCents: 1200 },
          ],
          totalCents: 2100,
          placedAt: (placed!.data as { placedAt: string }).placedAt,
        },
      },
    ]);
    // The checked-in schema is what keeps the internal shape out: the internal field names fail it.
    const [event] = integration.events();
    const leaked = { ...event, data: { ...(event!.data as object), items: (placed!.data as { items: unknown }).items } };
    expect(schemaViolations(leaked, placedSchema)).toEqual(["$.data.items: not allowed"]);
  });

  it("never publishes an internal event without a mapping, and acks it", async () => {
    const integration = new IntegrationQueue();
    const itemAdded = published("order/ie-1").find((e) => e.type === "ItemAdded")!;
    const { acked, ids } = await deliver(ORDER_INTEGRATION, [itemAdded, itemAdded], 1, integration.env);
    expect(acked).toEqual(ids);
    expect(integration.sent).toEqual([]);
  });

  it("gives a redelivered event the same CloudEvent id and content", async () => {
    const integration = new IntegrationQueue();
    const shipped = published("order/ie-1").find((e) => e.type === "OrderShipped")!;
    await deliver(ORDER_INTEGRATION, [shipped], 1, integration.env);
    await deliver(ORDER_INTEGRATION, [shipped], 2, integration.env);
    const [first, again] = integration.events();
    expect(first!.id).toBe(shipped.eventId);
    expect(again).toEqual(first);
  });

  it("sends one CloudEvent for copies of an event within one batch, and acks every copy", async () => {
    const integration = new IntegrationQueue();
    const delivered = published("order/ie-1").find((e) => e.type === "OrderDelivered")!;
    const { acked, ids } = await deliver(ORDER_INTEGRATION, [delivered, delivered, delivered], 1, integration.env);
    expect(acked.sort()).toEqual([...ids].sort());
    expect(integration.events().map((e) => e.id)).toEqual([delivered.eventId]);
  });

  it(`sends at most ${MAX_BATCH_MESSAGES} CloudEvents per sendBatch`, async () => {
    const integration = new IntegrationQueue();
    const [placed] = published("order/ie-2");
    const many = Array.from({ length: 150 }, (_, i) => ({ ...placed!, eventId: `${placed!.eventId}-${i}`, aggregateId: `ie-many-${i}`, streamId: `order/ie-many-${i}` }));
    const { acked, ids } = await deliver(ORDER_INTEGRATION, many, 1, integration.env);
    expect(acked.sort()).toEqual([...ids].sort());
    expect(integration.sent.map((batch) => batch.length)).toEqual([100, 50]);
    expect(new Set(integration.events().map((e) => e.id)).size).toBe(150);
  });
});

describe("the order events publisher when the integration queue fails", () => {
  // The runner logs every failed send; the failures here are the point of the test.
  beforeEach(() => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    return () => vi.restoreAllMocks();
  });

  it("acks nothing and leaves every message for retry, then publishes them once the queue is back", async () => {
    const ours = new CapturedEvents();
    await ours.install("order/ie-down");
    await runCommand("order/ie-down/place", { customerId: "ic-3", items: [{ sku: "tea", quantity: 1, unitPrice: 450 }] });
    await runInternalCommand("order/ie-down/ship");
    const envelopes = ours.streamSentTo(ORDER_INTEGRATION, "order/ie-down");

    const integration = new IntegrationQueue();
    integration.down = true;
    const failed = await deliver(ORDER_INTEGRATION, envelopes, 1, integration.env);
    expect(failed.acked).toEqual([]);
    expect(failed.retried.sort()).toEqual([...failed.ids].sort());
    expect(integration.sent).toEqual([]);
    const recorded = await env.READ_DB.prepare("SELECT version, error FROM projection_errors WHERE projection = 'order-integration' AND stream_id = 'order/ie-down'").first();
    expect(recorded).toMatchObject({ version: 1, error: expect.stringContaining("integration-events is unavailable") });

    integration.down = false;
    const retried = await deliver(ORDER_INTEGRATION, envelopes, 2, integration.env);
    expect(retried.acked.sort()).toEqual([...retried.ids].sort());
    expect(integration.events().map((e) => [e.type, e.id])).toEqual([
      ["com.example.order.placed", envelopes[0]!.eventId],
      ["com.example.order.shipped", envelopes[1]!.eventId],
    ]);
  });

  it("retries a message that is not an event envelope and sends nothing for it", async () => {
    const integration = new IntegrationQueue();
    const { acked, retried, ids } = await deliver(ORDER_INTEGRATION, [{ hello: "world" }], 1, integration.env);
    expect(acked).toEqual([]);
    expect(retried).toEqual(ids);
    expect(integration.sent).toEqual([]);
  });
});

describe("the order events publisher's dead-letter queue", () => {
  it("parks what the publisher could not send in D1, under the publisher's name, with the error that parked it", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const ours = new CapturedEvents();
    await ours.install("order/ie-parked");
    await runCommand("order/ie-parked/place", { customerId: "ic-4", items: [{ sku: "tea", quantity: 1, unitPrice: 450 }] });
    const [placed] = ours.streamSentTo(ORDER_INTEGRATION, "order/ie-parked");
    const integration = new IntegrationQueue();
    integration.down = true;
    await deliver(ORDER_INTEGRATION, [placed], 5, integration.env);
    vi.restoreAllMocks();

    const { acked, ids } = await deliver("order-integration-dlq", [placed]);
    expect(acked).toEqual(ids);
    const parked = await env.READ_DB.prepare("SELECT stream_id, version, error FROM dead_letters WHERE projection = 'order-integration'").all();
    expect(parked.results).toEqual([{ stream_id: "order/ie-parked", version: 1, error: expect.stringContaining("integration-events is unavailable") }]);
  });
});
