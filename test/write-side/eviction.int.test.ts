import { abortAllDurableObjects, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminGet, command, json, objectOf, placeOrder } from "../support/http";

// State lives in memory between commands and is rebuilt from storage on wake (DESIGN §2): an
// eviction or a crash loses nothing, and the stream continues where it stopped.

async function writeStream(id: string): Promise<void> {
  expect((await command("order", id, "place", placeOrder(), { "X-Correlation-Id": `${id}-flow` })).status).toBe(200);
  expect((await command("order", id, "add-item", { sku: "jam", quantity: 1, unitPrice: 300 })).status).toBe(200);
  expect((await command("order", id, "add-item", { sku: "tea", quantity: 4, unitPrice: 450 })).status).toBe(200);
  expect((await command("order", id, "remove-item", { sku: "jam" })).status).toBe(200);
}

const streamText = async (id: string) => (await adminGet(`/streams/order/${id}?asOf=4`)).text();

describe.each([
  ["evicted", (id: string) => evictDurableObject(objectOf("order", id))],
  ["aborted", (_id: string) => abortAllDurableObjects()],
])("an object %s", (_label, stop) => {
  it("reads its stream back byte-identical and continues at the next version", async () => {
    const id = `ev-${_label}`;
    await writeStream(id);
    const before = await streamText(id);
    expect(JSON.parse(before).version).toBe(4);

    await stop(id);
    expect(await streamText(id)).toBe(before);

    const next = await command("order", id, "add-item", { sku: "cup", quantity: 1, unitPrice: 900 }, { "If-Match": '"4"' });
    expect(next.status).toBe(200);
    expect((await json(next)).version).toBe(5);
    const after = await json(await adminGet(`/streams/order/${id}?asOf=5`));
    expect(after.events.map((e: { version: number }) => e.version)).toEqual([1, 2, 3, 4, 5]);
    expect(after.state.value.items).toEqual([
      { sku: "tea", quantity: 6, unitPrice: 450 },
      { sku: "cup", quantity: 1, unitPrice: 900 },
    ]);
  });

  it("still replays an idempotent command and refuses a reused key", async () => {
    const id = `ev-idem-${_label}`;
    const key = { "Idempotency-Key": `${id}-place` };
    const first = await command("order", id, "place", placeOrder(), key);
    const firstBody = await first.text();
    await stop(id);

    const retry = await command("order", id, "place", placeOrder(), key);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await retry.text()).toBe(firstBody);
    const reused = await command("order", id, "place", placeOrder([{ sku: "x", quantity: 1, unitPrice: 1 }]), key);
    expect((await json(reused)).error).toBe("idempotency_key_reuse");
    const { version } = await json(await adminGet(`/streams/order/${id}`));
    expect(version).toBe(1);
  });
});
