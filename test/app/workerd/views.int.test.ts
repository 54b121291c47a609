import { beforeAll, describe, expect, it } from "vitest";
import { getQuery, runCommand, runInternalCommand } from "../../support/api-client";
import { CapturedEvents } from "../../support/captured-events";
import { deliver, ORDER_DETAILS, ORDER_HISTORY } from "../support/queue-delivery";

const captured = new CapturedEvents();

async function applyAll(queue: string, streamIds: readonly string[]): Promise<void> {
  const envelopes = streamIds.flatMap((id) => captured.streamSentTo(queue, id));
  const { acked, ids } = await deliver(queue, envelopes);
  expect(acked).toHaveLength(ids.length);
}

async function json(path: string): Promise<{ status: number; body: any }> {
  const response = await getQuery(path);
  return { status: response.status, body: await response.json() };
}

describe("GET /orders/:id", () => {
  beforeAll(async () => {
    await captured.install("order/vd-1", "delivery/vd-d1", "order/vd-2");
    await runCommand("order/vd-1/place", { customerId: "vdc", items: [{ sku: "tea", quantity: 2, unitPrice: 450 }, { sku: "mug", quantity: 1, unitPrice: 1200 }] });
    await runCommand("order/vd-1/add-item", { sku: "spoon", quantity: 3, unitPrice: 99 });
    await runCommand("order/vd-1/add-item", { sku: "tea", quantity: 1, unitPrice: 450 });
    await runCommand("order/vd-1/remove-item", { sku: "mug" });
    await runCommand("order/vd-2/place", { customerId: "vdc", items: [{ sku: "free-sample", quantity: 1, unitPrice: 0 }] });
    await applyAll(ORDER_DETAILS, ["order/vd-1", "order/vd-2"]);
  });

  it("shows the order with its lines in the order they were added, total = Σ quantity × unitPrice", async () => {
    expect(await json("/orders/vd-1")).toEqual({
      status: 200,
      body: {
        id: "vd-1",
        customerId: "vdc",
        status: "placed",
        items: [
          { sku: "tea", quantity: 3, unitPrice: 450 },
          { sku: "spoon", quantity: 3, unitPrice: 99 },
        ],
        total: 3 * 450 + 3 * 99,
        delivery: null,
        version: 4,
      },
    });
  });

  it("joins the order's delivery and follows both streams' status changes", async () => {
    await runCommand("delivery/vd-d1/schedule", { orderId: "vd-1", address: "1 Tea Lane" });
    await runCommand("delivery/vd-d1/pick-up");
    await runInternalCommand("order/vd-1/ship");
    await applyAll(ORDER_DETAILS, ["delivery/vd-d1", "order/vd-1"]);
    const { body } = await json("/orders/vd-1");
    expect(body).toMatchObject({ status: "shipped", delivery: { id: "vd-d1", status: "picked_up" }, version: 5 });
  });

  it("counts a zero-priced line in the items but not in the total", async () => {
    expect((await json("/orders/vd-2")).body).toMatchObject({ items: [{ sku: "free-sample", quantity: 1, unitPrice: 0 }], total: 0, delivery: null });
  });

  it("answers 404 not_found for an order the view does not hold", async () => {
    expect(await json("/orders/vd-nope")).toEqual({ status: 404, body: { error: "not_found", message: expect.any(String) } });
  });

  it("answers 400 invalid_id for an id outside the alphabet", async () => {
    expect((await json("/orders/bad%20id")).body).toMatchObject({ error: "invalid_id" });
  });
});

describe("GET /customers/:customerId/orders", () => {
  const ids = Array.from({ length: 25 }, (_, i) => `vh-${String(i + 1).padStart(2, "0")}`);
  type Entry = { id: string; status: string; total: number; itemCount: number; deliveryStatus: string | null; placedAt: string };
  let expected: Entry[];

  beforeAll(async () => {
    await captured.install(...ids.map((id) => `order/${id}`), "order/vh-other", "delivery/vh-d3", "delivery/vh-d5");
    for (const [i, id] of ids.entries()) {
      await runCommand(`order/${id}/place`, { customerId: "vhc", items: [{ sku: "s", quantity: i + 1, unitPrice: 100 }, { sku: "t", quantity: 1, unitPrice: 7 }] });
    }
    await runCommand("order/vh-other/place", { customerId: "vhc-other", items: [{ sku: "s", quantity: 1, unitPrice: 1 }] });
    await runCommand("order/vh-02/cancel", {});
    await runCommand("order/vh-04/remove-item", { sku: "t" });
    await runCommand("delivery/vh-d3/schedule", { orderId: "vh-03", address: "3 Road" });
    await runCommand("delivery/vh-d3/pick-up");
    await runCommand("delivery/vh-d5/schedule", { orderId: "vh-05", address: "5 Road" });
    // The deliveries' events reach the view before their orders'.
    await applyAll(ORDER_HISTORY, ["delivery/vh-d3", "delivery/vh-d5"]);
    await applyAll(ORDER_HISTORY, [...ids.map((id) => `order/${id}`), "order/vh-other"]);

    const placedAt = new Map(
      captured.sentTo(ORDER_HISTORY).filter((e) => e.type === "OrderPlaced").map((e) => [e.aggregateId, (e.data as { placedAt: string }).placedAt]),
    );
    expected = ids
      .map((id, i) => ({
        id,
        status: id === "vh-02" ? "cancelled" : "placed",
        total: id === "vh-04" ? (i + 1) * 100 : (i + 1) * 100 + 7,
        itemCount: id === "vh-04" ? i + 1 : i + 2,
        deliveryStatus: id === "vh-03" ? "picked_up" : id === "vh-05" ? "scheduled" : null,
        placedAt: placedAt.get(id)!,
      }))
      .sort((a, b) => (a.placedAt === b.placedAt ? b.id.localeCompare(a.id) : b.placedAt.localeCompare(a.placedAt)));
  });

  it("lists the customer's orders newest first, 20 by default, then the rest with cursor null", async () => {
    // Orders were placed one after another, so newest first is the reverse of creation.
    expect(expected.map((e) => e.id)).toEqual([...ids].reverse());
    const first = await json("/customers/vhc/orders");
    expect(first.status).toBe(200);
    expect(first.body.orders).toEqual(expected.slice(0, 20));
    expect(first.body.cursor).toEqual(expect.any(String));
    expect(first.body.cursor).not.toMatch(/[+/=,]/);

    const second = await json(`/customers/vhc/orders?cursor=${first.body.cursor}`);
    expect(second.body).toEqual({ orders: expected.slice(20), cursor: null });
  });

  it("pages through every order exactly once with a small limit", async () => {
    const seen: Entry[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { body: { orders: Entry[]; cursor: string | null } } = await json(`/customers/vhc/orders?limit=7${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.body.orders.length).toBeLessThanOrEqual(7);
      seen.push(...page.body.orders);
      cursor = page.body.cursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(4);
    expect(seen).toEqual(expected);
  });

  it("ends with cursor null when the last page is exactly full", async () => {
    expect((await json("/customers/vhc/orders?limit=25")).body).toEqual({ orders: expected, cursor: null });
    expect((await json("/customers/vhc/orders?limit=100")).body.orders).toHaveLength(25);
  });

  it("shows an empty page for a customer without orders", async () => {
    expect((await json("/customers/vh-nobody/orders")).body).toEqual({ orders: [], cursor: null });
  });

  it.each(["101", "0", "-3", "ten"])("refuses limit=%s with 400", async (limit) => {
    expect(await json(`/customers/vhc/orders?limit=${limit}`)).toMatchObject({ status: 400, body: { error: "invalid_query" } });
  });

  it.each([
    ["not base64", "!!!"],
    ["base64 of text", btoa("hello")],
    ["base64 of the wrong JSON shape", btoa(JSON.stringify({ placedAt: "x", id: "y" }))],
    ["base64 of a short array", btoa(JSON.stringify(["x"]))],
  ])("refuses a malformed cursor (%s) with 400, never 500", async (_, cursor) => {
    expect(await json(`/customers/vhc/orders?cursor=${encodeURIComponent(cursor)}`)).toMatchObject({ status: 400, body: { error: "invalid_query" } });
  });
});
