import { describe, expect, it } from "vitest";
import { command, json, placeOrder, readStream } from "../support/http";

// If-Match (DESIGN §4): the version the stream must be at; "0" means it must not exist yet.

describe("If-Match", () => {
  it('"0" on a new stream succeeds', async () => {
    const response = await command("order", "im-1", "place", placeOrder(), { "If-Match": '"0"' });
    expect(response.status).toBe(200);
    expect((await json(response)).version).toBe(1);
  });

  it('"0" on an existing stream is a 409 with expected 0 and the actual version', async () => {
    await command("order", "im-2", "place", placeOrder());
    await command("order", "im-2", "add-item", { sku: "jam", quantity: 1, unitPrice: 300 });
    const response = await command("order", "im-2", "cancel", {}, { "If-Match": '"0"' });
    expect(response.status).toBe(409);
    expect(await json(response)).toEqual({
      error: "version_conflict",
      message: expect.stringContaining("2"),
      expected: 0,
      actual: 2,
    });
    expect((await readStream("order", "im-2")).body.version).toBe(2);
  });

  it("the current version succeeds, and the answer's ETag is the next one to send", async () => {
    const placed = await command("order", "im-3", "place", placeOrder(), { "If-Match": '"0"' });
    expect(placed.headers.get("ETag")).toBe('"1"');
    const added = await command("order", "im-3", "add-item", { sku: "jam", quantity: 1, unitPrice: 300 }, { "If-Match": placed.headers.get("ETag")! });
    expect(added.status).toBe(200);
    expect((await json(added)).version).toBe(2);
    const stale = await command("order", "im-3", "add-item", { sku: "cup", quantity: 1, unitPrice: 900 }, { "If-Match": '"1"' });
    expect(stale.status).toBe(409);
    expect(await json(stale)).toMatchObject({ expected: 1, actual: 2 });
  });

  it("accepts an unquoted version and a weak tag", async () => {
    await command("order", "im-4", "place", placeOrder());
    expect((await command("order", "im-4", "add-item", { sku: "a", quantity: 1, unitPrice: 1 }, { "If-Match": "1" })).status).toBe(200);
    expect((await command("order", "im-4", "add-item", { sku: "b", quantity: 1, unitPrice: 1 }, { "If-Match": 'W/"2"' })).status).toBe(200);
  });

  it("a malformed If-Match is 400 invalid_header", async () => {
    await command("order", "im-5", "place", placeOrder());
    const response = await command("order", "im-5", "cancel", {}, { "If-Match": '"one"' });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ error: "invalid_header", message: expect.stringContaining("If-Match") });
    expect((await readStream("order", "im-5")).body.version).toBe(1);
  });

  it("only one of two commands racing on the same expected version wins", async () => {
    await command("order", "im-6", "place", placeOrder());
    const [a, b] = await Promise.all([
      command("order", "im-6", "add-item", { sku: "a", quantity: 1, unitPrice: 1 }, { "If-Match": '"1"' }),
      command("order", "im-6", "add-item", { sku: "b", quantity: 1, unitPrice: 1 }, { "If-Match": '"1"' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect((await readStream("order", "im-6")).body.version).toBe(2);
  });
});
