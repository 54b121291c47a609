import { exports } from "cloudflare:workers";
import { testClient } from "edge-cqrs/testing";
import { describe, expect, it } from "vitest";
import { API_TOKEN } from "../support/http";

// edge-cqrs/testing's client, as a user's integration test drives it: real commands through the
// Worker, real queues and projections, and queries that read the client's own writes.
describe("testClient", () => {
  it("reads its own writes through the real outbox, queue and projection", async () => {
    const api = testClient((request) => exports.default.fetch(request), { token: API_TOKEN });
    const placed = await api.command("order", "tc-1", "place", { customerId: "c-tc", items: [{ sku: "tea", quantity: 2, unitPrice: 450 }] });
    expect(placed).toMatchObject({ ok: true, status: 200, body: { streamId: "order/tc-1", version: 1 } });
    await api.command("order", "tc-1", "add-item", { sku: "jam", quantity: 1, unitPrice: 250 });
    expect(await api.query("/orders/tc-1")).toMatchObject({ status: 200, body: { id: "tc-1", total: 1150, version: 2 } });
  });

  it("gives refusals as status and error body, and replays as replayed", async () => {
    const api = testClient((request) => exports.default.fetch(request), { token: API_TOKEN });
    expect(await api.command("order", "tc-2", "ship")).toMatchObject({ ok: false, status: 422, body: { error: "rejected" } });
    const first = await api.command("order", "tc-3", "place", { customerId: "c", items: [{ sku: "a", quantity: 1, unitPrice: 1 }] }, { "Idempotency-Key": "tc-3-k" });
    const again = await api.command("order", "tc-3", "place", { customerId: "c", items: [{ sku: "a", quantity: 1, unitPrice: 1 }] }, { "Idempotency-Key": "tc-3-k" });
    expect(first).toMatchObject({ ok: true, replayed: false });
    expect(again).toMatchObject({ ok: true, replayed: true });
  });
});
