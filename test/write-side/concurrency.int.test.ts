import { describe, expect, it } from "vitest";
import { command, json, placeOrder, readStream } from "../support/http";

// DESIGN §2: the object processes one command at a time; versions are 1, 2, 3 … without gaps.

describe("concurrent commands on one aggregate", () => {
  it("50 parallel add-items all succeed with versions 2..51 and no gap in the stream", async () => {
    expect((await command("order", "hot-1", "place", placeOrder([{ sku: "tea", quantity: 1, unitPrice: 450 }]))).status).toBe(200);
    const quantities = Array.from({ length: 50 }, (_, i) => (i % 7) + 1);

    const responses = await Promise.all(quantities.map((quantity) => command("order", "hot-1", "add-item", { sku: "tea", quantity, unitPrice: 450 })));
    expect(responses.map((r) => r.status)).toEqual(quantities.map(() => 200));
    const versions = (await Promise.all(responses.map((r) => json(r)))).map((body) => body.version as number);
    expect([...versions].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));

    const { status, body } = await readStream("order", "hot-1", { asOf: 51 });
    expect(status).toBe(200);
    expect(body.version).toBe(51);
    expect(body.events.map((e: { version: number }) => e.version)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    const sum = quantities.reduce((a, b) => a + b, 1);
    expect(body.state.value.items).toEqual([{ sku: "tea", quantity: sum, unitPrice: 450 }]);
    const added = body.events.slice(1).map((e: { data: { quantity: number } }) => e.data.quantity);
    expect(added.reduce((a: number, b: number) => a + b, 0)).toBe(sum - 1);
  });

  it("commands on different aggregates run side by side without affecting each other", async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `side-${i}`);
    const placed = await Promise.all(ids.map((id) => command("order", id, "place", placeOrder())));
    expect(placed.map((r) => r.status)).toEqual(ids.map(() => 200));
    for (const id of ids) {
      const { body } = await readStream("order", id);
      expect({ streamId: body.streamId, version: body.version }).toEqual({ streamId: `order/${id}`, version: 1 });
    }
  });
});
