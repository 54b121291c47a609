import { describe, expect, it } from "vitest";
import { command, json, placeOrder, readStream } from "../support/http";

// DESIGN §2/§4: the Idempotency-Key is the command id. A retry with the same key and the same
// payload answers exactly as the first time and appends nothing; a different payload is a 422.

describe("idempotent replay", () => {
  it("answers a retried command with the identical body, flags the replay and appends nothing", async () => {
    const key = { "Idempotency-Key": "place-idem-1" };
    const first = await command("order", "idem-1", "place", placeOrder(), key);
    expect(first.status).toBe(200);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    const firstBody = await first.text();
    const before = await readStream("order", "idem-1");

    const retry = await command("order", "idem-1", "place", placeOrder(), key);
    expect(retry.status).toBe(200);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await retry.text()).toBe(firstBody);
    expect(retry.headers.get("X-Consistency-Token")).toBe(first.headers.get("X-Consistency-Token"));
    expect(await readStream("order", "idem-1")).toEqual(before);
    expect(before.body.version).toBe(1);
  });

  it("replays the first answer even after the stream moved on", async () => {
    const key = { "Idempotency-Key": "add-idem-2" };
    await command("order", "idem-2", "place", placeOrder());
    const first = await json(await command("order", "idem-2", "add-item", { sku: "jam", quantity: 1, unitPrice: 300 }, key));
    await command("order", "idem-2", "add-item", { sku: "cup", quantity: 1, unitPrice: 900 });

    const retry = await command("order", "idem-2", "add-item", { sku: "jam", quantity: 1, unitPrice: 300 }, key);
    expect(await json(retry)).toEqual(first);
    expect(first.version).toBe(2);
    const { body } = await readStream("order", "idem-2", { asOf: 3 });
    expect(body.version).toBe(3);
    expect(body.state.value.items).toEqual([
      { sku: "tea", quantity: 2, unitPrice: 450 },
      { sku: "jam", quantity: 1, unitPrice: 300 },
      { sku: "cup", quantity: 1, unitPrice: 900 },
    ]);
  });

  it("treats the same payload with its keys in another order as the same request", async () => {
    const key = { "Idempotency-Key": "place-idem-3" };
    const first = await command("order", "idem-3", "place", { customerId: "c-1", items: [{ sku: "tea", quantity: 2, unitPrice: 450 }] }, key);
    const reordered = await command("order", "idem-3", "place", { items: [{ unitPrice: 450, quantity: 2, sku: "tea" }], customerId: "c-1" }, key);
    expect(reordered.status).toBe(200);
    expect(reordered.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await json(reordered)).toEqual(await json(first));
    expect((await readStream("order", "idem-3")).body.version).toBe(1);
  });

  it("refuses the same key with a different payload as idempotency_key_reuse", async () => {
    const key = { "Idempotency-Key": "place-idem-4" };
    await command("order", "idem-4", "place", placeOrder(), key);
    const reused = await command("order", "idem-4", "place", placeOrder([{ sku: "tea", quantity: 2, unitPrice: 451 }]), key);
    expect(reused.status).toBe(422);
    expect(reused.headers.get("Idempotent-Replayed")).toBeNull();
    expect(await json(reused)).toMatchObject({ error: "idempotency_key_reuse", message: expect.any(String) });
    expect((await readStream("order", "idem-4")).body.version).toBe(1);
  });

  it("refuses the same key for another command of the same payload", async () => {
    const key = { "Idempotency-Key": "idem-5-key" };
    await command("order", "idem-5", "place", placeOrder());
    expect((await command("order", "idem-5", "ship", {}, key)).status).toBe(200);
    const other = await command("order", "idem-5", "cancel", {}, key);
    expect(other.status).toBe(422);
    expect((await json(other)).error).toBe("idempotency_key_reuse");
  });

  it("gives every command without a key its own id: two identical adds append twice", async () => {
    await command("order", "idem-6", "place", placeOrder());
    const a = await json(await command("order", "idem-6", "add-item", { sku: "jam", quantity: 1, unitPrice: 300 }));
    const b = await json(await command("order", "idem-6", "add-item", { sku: "jam", quantity: 1, unitPrice: 300 }));
    expect([a.version, b.version]).toEqual([2, 3]);
    const { body } = await readStream("order", "idem-6");
    expect(body.events[1].metadata.commandId).not.toBe(body.events[2].metadata.commandId);
  });

  it("a replay is answered before If-Match is checked: the retry of a conditional command still succeeds", async () => {
    const headers = { "Idempotency-Key": "idem-7-place", "If-Match": '"0"' };
    const first = await json(await command("order", "idem-7", "place", placeOrder(), headers));
    const retry = await command("order", "idem-7", "place", placeOrder(), headers);
    expect(retry.status).toBe(200);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await json(retry)).toEqual(first);
  });

  it("the same command sent 10 times at once appends once; the others are replays of it", async () => {
    await command("order", "idem-8", "place", placeOrder());
    const headers = { "Idempotency-Key": "idem-8-add" };
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => command("order", "idem-8", "add-item", { sku: "jam", quantity: 1, unitPrice: 300 }, headers)),
    );
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    expect(responses.filter((r) => r.headers.get("Idempotent-Replayed") === "true")).toHaveLength(9);
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(new Set(bodies).size).toBe(1);
    expect((await readStream("order", "idem-8")).body.version).toBe(2);
  });
});
