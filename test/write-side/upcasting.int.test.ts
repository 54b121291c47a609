import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, command, json, objectOf, placeOrder, readStream, API_TOKEN } from "../support/http";

// The example app's ItemAdded is at schema version 2; version 1 named the quantity `qty`
// (src/app/order/events.ts). Rows stored as version 1 must read as version 2 everywhere: in
// /streams, in the state `decide` sees, and in the envelopes the projectors receive.

/** Writes a schema-version-1 ItemAdded row straight into the object's events table, as an old deploy would have. */
async function seedV1ItemAdded(id: string, version: number, data: unknown): Promise<void> {
  await runInDurableObject(objectOf("order", id), (_instance, state) => {
    const recordedAt = "2025-06-01T12:00:00.000Z";
    const metadata = { commandId: `legacy-${version}`, correlationId: `legacy-${version}`, causationId: `legacy-${version}`, recordedAt };
    state.storage.sql.exec(
      "INSERT INTO events (version, event_id, type, schema_version, data, metadata, recorded_at) VALUES (?, ?, 'ItemAdded', 1, ?, ?, ?)",
      version,
      `0197c0de-0000-7000-8000-00000000000${version}`,
      JSON.stringify(data),
      JSON.stringify(metadata),
      recordedAt,
    );
  });
}

describe("upcasting ItemAdded v1 → v2", () => {
  it("serves a stored v1 event as v2 in /streams, folds it into the state, and keeps deciding on it", async () => {
    expect((await command("order", "up-1", "place", placeOrder())).status).toBe(200);
    await seedV1ItemAdded("up-1", 2, { sku: "jam", qty: 3, unitPrice: 300 });
    // The running instance holds the state of version 1 in memory; the seeded row is read on wake.
    await evictDurableObject(objectOf("order", "up-1"));

    const { status, body } = await readStream("order", "up-1", { asOf: 2 });
    expect(status).toBe(200);
    expect(body.version).toBe(2);
    expect(body.events[1]).toMatchObject({ version: 2, type: "ItemAdded", schemaVersion: 2, data: { sku: "jam", quantity: 3, unitPrice: 300 } });
    expect(body.events[1].data).not.toHaveProperty("qty");
    expect(body.state.value.items).toEqual([
      { sku: "tea", quantity: 2, unitPrice: 450 },
      { sku: "jam", quantity: 3, unitPrice: 300 },
    ]);

    // decide sees the upcast line: a different unit price for jam is refused, the same one adds up.
    const mismatch = await command("order", "up-1", "add-item", { sku: "jam", quantity: 1, unitPrice: 999 });
    expect(mismatch.status).toBe(422);
    expect((await json(mismatch)).reason).toBe("unit_price_mismatch");
    const added = await command("order", "up-1", "add-item", { sku: "jam", quantity: 2, unitPrice: 300 });
    expect(added.status).toBe(200);
    expect((await json(added)).version).toBe(3);

    const after = await readStream("order", "up-1", { asOf: 3 });
    expect(after.body.events[2]).toMatchObject({ schemaVersion: 2, data: { sku: "jam", quantity: 2, unitPrice: 300 } });
    expect(after.body.state.value.items).toContainEqual({ sku: "jam", quantity: 5, unitPrice: 300 });

    // The read model, fed the same envelopes through the queues, agrees.
    const view = await call(`/orders/up-1?consistentWith=${added.headers.get("X-Consistency-Token")}&wait=5000`, {
      headers: { Authorization: `Bearer ${API_TOKEN}` },
    });
    expect(view.status).toBe(200);
    expect((await json(view)).items).toContainEqual({ sku: "jam", quantity: 5, unitPrice: 300 });
  });

  it("writes new ItemAdded events as schema version 2 with the current shape", async () => {
    await command("order", "up-2", "place", placeOrder());
    await command("order", "up-2", "add-item", { sku: "jam", quantity: 4, unitPrice: 300 });
    const rows = await runInDurableObject(objectOf("order", "up-2"), (_instance, state) =>
      state.storage.sql.exec<{ type: string; schema_version: number; data: string }>("SELECT type, schema_version, data FROM events ORDER BY version").toArray(),
    );
    expect(rows.map((r) => ({ ...r, data: JSON.parse(r.data) }))).toEqual([
      { type: "OrderPlaced", schema_version: 1, data: expect.objectContaining({ customerId: "c-1" }) },
      { type: "ItemAdded", schema_version: 2, data: { sku: "jam", quantity: 4, unitPrice: 300 } },
    ]);
    const { body } = await readStream("order", "up-2");
    expect(body.events.map((e: { schemaVersion: number }) => e.schemaVersion)).toEqual([1, 2]);
  });

  it("upcasts on /streams of a running object too, not only on wake", async () => {
    await command("order", "up-3", "place", placeOrder());
    await seedV1ItemAdded("up-3", 2, { sku: "cup", qty: 1, unitPrice: 900 });
    const { body } = await readStream("order", "up-3", { from: 2 });
    expect(body.events).toEqual([expect.objectContaining({ version: 2, schemaVersion: 2, data: { sku: "cup", quantity: 1, unitPrice: 900 } })]);
    await evictDurableObject(objectOf("order", "up-3"));
  });
});
