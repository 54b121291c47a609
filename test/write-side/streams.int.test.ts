import { describe, expect, it } from "vitest";
import { adminGet, command, json, placeOrder, readStream } from "../support/http";

// GET /streams (DESIGN §4) and the event envelope (DESIGN §5); the command response shape.

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe("command response", () => {
  it("is {streamId, version, events, token} with the token also in X-Consistency-Token", async () => {
    const response = await command("order", "resp-1", "place", placeOrder());
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(Object.keys(body).sort()).toEqual(["events", "streamId", "token", "version"]);
    expect(body).toEqual({
      streamId: "order/resp-1",
      version: 1,
      events: [{ eventId: expect.stringMatching(UUID_V7), type: "OrderPlaced", version: 1 }],
      token: expect.stringMatching(/^[A-Za-z0-9_.~-]+$/),
    });
    expect(response.headers.get("X-Consistency-Token")).toBe(body.token);

    const next = await json(await command("order", "resp-1", "add-item", { sku: "jam", quantity: 1, unitPrice: 300 }));
    expect(next).toMatchObject({ streamId: "order/resp-1", version: 2, events: [{ type: "ItemAdded", version: 2 }] });
    expect(next.token).not.toBe(body.token);
    const { body: stream } = await readStream("order", "resp-1");
    expect(stream.events.map((e: { eventId: string }) => e.eventId)).toEqual([body.events[0].eventId, next.events[0].eventId]);
  });
});

describe("the event envelope on GET /streams", () => {
  it("carries every field of the envelope, with time-ordered UUIDv7 ids and the actor", async () => {
    await command("order", "env-1", "place", placeOrder(), { "Idempotency-Key": "env-1-place" });
    for (let i = 0; i < 5; i++) await command("order", "env-1", "add-item", { sku: `s-${i}`, quantity: 1, unitPrice: 100 });
    const { status, body } = await readStream("order", "env-1");
    expect(status).toBe(200);
    expect(body).toMatchObject({ streamId: "order/env-1", version: 6 });
    expect(body.events).toHaveLength(6);
    expect(body.events[0]).toEqual({
      eventId: expect.stringMatching(UUID_V7),
      streamId: "order/env-1",
      aggregate: "order",
      aggregateId: "env-1",
      version: 1,
      type: "OrderPlaced",
      schemaVersion: 1,
      data: { customerId: "c-1", items: [{ sku: "tea", quantity: 2, unitPrice: 450 }], placedAt: expect.stringMatching(ISO_INSTANT) },
      metadata: { commandId: "env-1-place", correlationId: "env-1-place", causationId: "env-1-place", actor: "api", recordedAt: expect.stringMatching(ISO_INSTANT) },
    });
    expect(body.events[0].data.placedAt).toBe(body.events[0].metadata.recordedAt);
    const ids = body.events.map((e: { eventId: string }) => e.eventId);
    expect(new Set(ids).size).toBe(6);
    expect([...ids].sort()).toEqual(ids);
    expect(body.events.map((e: { version: number }) => e.version)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("carries X-Correlation-Id into metadata.correlationId; without it correlationId is the command id", async () => {
    await command("order", "env-2", "place", placeOrder(), { "X-Correlation-Id": "checkout-42", "Idempotency-Key": "env-2-place" });
    await command("order", "env-2", "add-item", { sku: "jam", quantity: 1, unitPrice: 300 });
    const { body } = await readStream("order", "env-2");
    expect(body.events[0].metadata).toMatchObject({ commandId: "env-2-place", correlationId: "checkout-42", causationId: "env-2-place" });
    const second = body.events[1].metadata;
    expect(second.commandId).toMatch(UUID_V7);
    expect(second.correlationId).toBe(second.commandId);
    expect(second.causationId).toBe(second.commandId);
  });

  it("stamps recordedAt with the time the command ran", async () => {
    const before = Date.now();
    await command("order", "env-3", "place", placeOrder());
    const { body } = await readStream("order", "env-3");
    const recordedAt = Date.parse(body.events[0].metadata.recordedAt);
    expect(recordedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(recordedAt).toBeLessThanOrEqual(Date.now() + 1000);
  });
});

describe("paging and asOf", () => {
  async function streamOf(id: string, length: number): Promise<void> {
    await command("order", id, "place", placeOrder([{ sku: "tea", quantity: 1, unitPrice: 450 }]));
    for (let v = 2; v <= length; v++) await command("order", id, "add-item", { sku: "tea", quantity: 1, unitPrice: 450 });
  }
  const versions = (body: { events: { version: number }[] }) => body.events.map((e) => e.version);

  it("from and limit page through the stream; version is always the stream's", async () => {
    await streamOf("page-1", 12);
    const first = await readStream("order", "page-1", { limit: 5 });
    expect({ version: first.body.version, versions: versions(first.body) }).toEqual({ version: 12, versions: [1, 2, 3, 4, 5] });
    const second = await readStream("order", "page-1", { from: 6, limit: 5 });
    expect(versions(second.body)).toEqual([6, 7, 8, 9, 10]);
    const last = await readStream("order", "page-1", { from: 11, limit: 5 });
    expect(versions(last.body)).toEqual([11, 12]);
    const beyond = await readStream("order", "page-1", { from: 13 });
    expect(beyond).toEqual({ status: 200, body: { streamId: "order/page-1", version: 12, events: [] } });
    expect(versions((await readStream("order", "page-1")).body)).toHaveLength(12);
    expect((await readStream("order", "page-1", { limit: 1000 })).status).toBe(200);
  });

  it.each([
    [{ limit: 1001 }],
    [{ limit: 0 }],
    [{ from: 0 }],
    [{ from: "abc" }],
    [{ asOf: 0 }],
  ])("refuses %o with 400 invalid_query", async (query) => {
    await streamOf("page-2", 1);
    const { status, body } = await readStream("order", "page-2", query);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: "invalid_query", message: expect.any(String), issues: expect.any(Array) });
  });

  it("asOf=N adds the state folded to N; without it there is no state", async () => {
    await streamOf("asof-1", 5);
    await command("order", "asof-1", "cancel", { reason: "changed my mind" });
    expect((await readStream("order", "asof-1")).body).not.toHaveProperty("state");
    const at = async (asOf: number) => (await readStream("order", "asof-1", { asOf, limit: 1 })).body.state;
    expect(await at(1)).toEqual({ version: 1, value: { status: "placed", customerId: "c-1", items: [{ sku: "tea", quantity: 1, unitPrice: 450 }] } });
    expect(await at(3)).toEqual({ version: 3, value: { status: "placed", customerId: "c-1", items: [{ sku: "tea", quantity: 3, unitPrice: 450 }] } });
    expect(await at(6)).toEqual({ version: 6, value: { status: "cancelled", customerId: "c-1", items: [{ sku: "tea", quantity: 5, unitPrice: 450 }] } });
    // Beyond the end is the current state, labelled with the version it really is.
    expect(await at(99)).toEqual(await at(6));
  });

  it("is admin-only JSON with the stream id in aggregate/id form", async () => {
    await streamOf("page-3", 1);
    const response = await adminGet("/streams/order/page-3");
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect((await json(response)).streamId).toBe("order/page-3");
  });
});
