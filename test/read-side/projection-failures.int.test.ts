import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../support/api-client";
import { CapturedEvents } from "../support/captured-events";
import { deliver, ORDER_DETAILS, ORDER_HISTORY } from "../support/queue-delivery";
import { dumpReadModel, rows } from "../support/read-model";

const captured = new CapturedEvents();

const checkpointOf = async (projection: string, streamId: string) =>
  (await rows<{ version: number }>("SELECT version FROM projection_checkpoints WHERE projection = ? AND stream_id = ?", projection, streamId))[0]?.version;

describe("a D1 batch that fails midway", () => {
  beforeAll(async () => {
    await captured.install("order/fo-poisoned", "order/fo-healthy");
    await runCommand("order/fo-poisoned/place", { customerId: "fc-1", items: [{ sku: "anvil", quantity: 1, unitPrice: 9900 }] });
    await runCommand("order/fo-healthy/place", { customerId: "fc-1", items: [{ sku: "feather", quantity: 2, unitPrice: 10 }] });
    // A row the projection does not expect: OrderPlaced's item insert hits its primary key,
    // after the checkpoint and order_details statements of the same batch have already run.
    await env.READ_DB.prepare("INSERT INTO order_details_items (order_id, sku, quantity, unit_price, position) VALUES ('fo-poisoned', 'anvil', 99, 1, 0)").run();
  });

  it("changes neither the view nor the checkpoint, and the message is retried, not acked", async () => {
    const [placed] = captured.streamSentTo(ORDER_DETAILS, "order/fo-poisoned");
    const { ids, acked, retried } = await deliver(ORDER_DETAILS, [placed]);

    expect(retried).toEqual(ids);
    expect(acked).toEqual([]);
    expect(await rows("SELECT * FROM order_details WHERE id = 'fo-poisoned'")).toEqual([]);
    expect(await checkpointOf("order-details", "order/fo-poisoned")).toBeUndefined();
    expect(await rows("SELECT quantity FROM order_details_items WHERE order_id = 'fo-poisoned'")).toEqual([{ quantity: 99 }]);
    expect(await rows("SELECT version, error FROM projection_errors WHERE projection = 'order-details' AND stream_id = 'order/fo-poisoned'")).toEqual([
      { version: 1, error: expect.stringContaining("UNIQUE") },
    ]);
  });

  it("does not hold up another stream of the same batch", async () => {
    const [poisoned] = captured.streamSentTo(ORDER_DETAILS, "order/fo-poisoned");
    const [healthy] = captured.streamSentTo(ORDER_DETAILS, "order/fo-healthy");
    const { ids, acked, retried } = await deliver(ORDER_DETAILS, [poisoned, healthy]);

    expect(retried).toEqual([ids[0]]);
    expect(acked).toEqual([ids[1]]);
    expect(await rows("SELECT id, status, version FROM order_details ORDER BY id")).toEqual([{ id: "fo-healthy", status: "placed", version: 1 }]);
    expect(await checkpointOf("order-details", "order/fo-healthy")).toBe(1);
    expect(await checkpointOf("order-details", "order/fo-poisoned")).toBeUndefined();
  });

  it("applies the retried message exactly once after the conflict is removed", async () => {
    await env.READ_DB.prepare("DELETE FROM order_details_items WHERE order_id = 'fo-poisoned'").run();
    const [placed] = captured.streamSentTo(ORDER_DETAILS, "order/fo-poisoned");
    const first = await deliver(ORDER_DETAILS, [placed], 2);
    expect(first.acked).toEqual(first.ids);
    const afterFirst = await dumpReadModel();

    const again = await deliver(ORDER_DETAILS, [placed], 3);
    expect(again.acked).toEqual(again.ids);
    expect(await dumpReadModel()).toBe(afterFirst);
    expect(await rows("SELECT id, status, version FROM order_details WHERE id = 'fo-poisoned'")).toEqual([{ id: "fo-poisoned", status: "placed", version: 1 }]);
    expect(await rows("SELECT sku, quantity, unit_price FROM order_details_items WHERE order_id = 'fo-poisoned'")).toEqual([
      { sku: "anvil", quantity: 1, unit_price: 9900 },
    ]);
    expect(await checkpointOf("order-details", "order/fo-poisoned")).toBe(1);
  });
});

describe("duplicates and gaps", () => {
  const stream = "order/go-1";

  beforeAll(async () => {
    await captured.install(stream);
    await runCommand("order/go-1/place", { customerId: "gc-1", items: [{ sku: "a", quantity: 1, unitPrice: 100 }] });
    await runCommand("order/go-1/add-item", { sku: "b", quantity: 2, unitPrice: 200 });
    await runCommand("order/go-1/add-item", { sku: "a", quantity: 3, unitPrice: 100 });
    await runCommand("order/go-1/remove-item", { sku: "b" });
    await runCommand("order/go-1/add-item", { sku: "c", quantity: 1, unitPrice: 50 });
    await runCommand("order/go-1/cancel", {});
  });

  it("heals a gap from the aggregate: every intermediate event applied in order, checkpoint at the message's version", async () => {
    const events = captured.streamSentTo(ORDER_HISTORY, stream);
    expect(events.map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6]);
    const { ids, acked } = await deliver(ORDER_HISTORY, [events[0]]);
    expect(acked).toEqual(ids);

    // v5 arrives while 2-4 are still somewhere in the queue.
    const gap = await deliver(ORDER_HISTORY, [events[4]]);
    expect(gap.acked).toEqual(gap.ids);
    expect(await checkpointOf("order-history", stream)).toBe(5);
    // a: 1 + 3 units at 100; b added then removed; c: 1 at 50. Only an in-order fold gives this.
    expect(await rows("SELECT status, total, item_count FROM order_history WHERE id = 'go-1'")).toEqual([{ status: "placed", total: 450, item_count: 5 }]);
  });

  it("acks a message at or below the checkpoint and changes nothing", async () => {
    const events = captured.streamSentTo(ORDER_HISTORY, stream);
    const before = await dumpReadModel();
    const { ids, acked, retried } = await deliver(ORDER_HISTORY, [events[1], events[3], events[4], events[0]]);
    expect(retried).toEqual([]);
    expect(acked.sort()).toEqual(ids.sort());
    expect(await dumpReadModel()).toBe(before);
  });

  it("applies the next version on top and then ignores its duplicate", async () => {
    const events = captured.streamSentTo(ORDER_HISTORY, stream);
    await deliver(ORDER_HISTORY, [events[5], events[2]]);
    expect(await checkpointOf("order-history", stream)).toBe(6);
    const after = await dumpReadModel();
    expect(await rows("SELECT status, total, item_count FROM order_history WHERE id = 'go-1'")).toEqual([{ status: "cancelled", total: 450, item_count: 5 }]);
    await deliver(ORDER_HISTORY, [events[5]]);
    expect(await dumpReadModel()).toBe(after);
  });

  it("heals a gap in the order-details view too, keeping line positions in the order they were added", async () => {
    const events = captured.streamSentTo(ORDER_DETAILS, stream);
    const { acked, ids } = await deliver(ORDER_DETAILS, [events[5]]);
    expect(acked).toEqual(ids);
    expect(await checkpointOf("order-details", stream)).toBe(6);
    expect(await rows("SELECT sku, quantity, unit_price FROM order_details_items WHERE order_id = 'go-1' ORDER BY position")).toEqual([
      { sku: "a", quantity: 4, unit_price: 100 },
      { sku: "c", quantity: 1, unit_price: 50 },
    ]);
    expect(await rows("SELECT status, version FROM order_details WHERE id = 'go-1'")).toEqual([{ status: "cancelled", version: 6 }]);
  });
});
