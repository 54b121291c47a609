import { describe, expect, it } from "vitest";
import { runCommand } from "../support/api-client";
import { CapturedEvents } from "../support/captured-events";
import { adminGet, json } from "../support/http";
import { deliver, deliverInOrder, ORDER_DETAILS } from "../support/queue-delivery";
import { rows } from "../support/read-model";

const STREAM_CATALOG = "stream-catalog";
const STREAMS = ["order/lag-1", "order/lag-2", "order/lag-3"];

interface Status {
  name: string;
  lag: { events: number; streams: number; oldestMs: number };
}

async function lagOf(name: string): Promise<Status["lag"]> {
  const { projections } = await json<{ projections: Status[] }>(await adminGet("/admin/projections"));
  return projections.find((p) => p.name === name)!.lag;
}

// Lag is counted in events: the catalog's head of every stream minus the subscriber's checkpoint.
describe("lag in events", () => {
  it("rises during a burst and returns to 0 once the burst is applied", async () => {
    const captured = new CapturedEvents();
    await captured.install(...STREAMS);
    for (const stream of STREAMS) await runCommand(`${stream}/place`, { customerId: "c-lag", items: [{ sku: "tea", quantity: 1, unitPrice: 100 }] });
    await runCommand("order/lag-1/add-item", { sku: "jam", quantity: 1, unitPrice: 300 });

    // The catalog hears of every head; the projector's messages are still on their way.
    const heads = captured.sentTo(STREAM_CATALOG);
    expect(heads.map((e) => [e.streamId, e.version])).toEqual([...STREAMS.map((s) => [s, 1]), ["order/lag-1", 2]]);
    await deliver(STREAM_CATALOG, heads);
    // Every stream is in the catalog with its head, though no projector has consumed anything.
    expect(await rows("SELECT stream_id, version FROM stream_heads ORDER BY stream_id")).toEqual([
      { stream_id: "order/lag-1", version: 2 },
      { stream_id: "order/lag-2", version: 1 },
      { stream_id: "order/lag-3", version: 1 },
    ]);
    expect(await rows("SELECT stream_id FROM stream_catalog ORDER BY stream_id")).toEqual(STREAMS.map((stream_id) => ({ stream_id })));
    // Heads redelivered out of order never move a head back.
    await deliver(STREAM_CATALOG, [...heads].reverse());
    const during = await lagOf(ORDER_DETAILS);
    expect(during).toMatchObject({ events: 4, streams: 3 });
    expect(during.oldestMs).toBeGreaterThanOrEqual(0);

    await deliverInOrder(ORDER_DETAILS, captured.sentTo(ORDER_DETAILS));
    expect(await lagOf(ORDER_DETAILS)).toEqual({ events: 0, streams: 0, oldestMs: 0 });
    // The catalog holds these streams for order-history too, which has applied nothing yet.
    expect(await lagOf("order-history")).toMatchObject({ events: 4, streams: 3 });
  });
});
