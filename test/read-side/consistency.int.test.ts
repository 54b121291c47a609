import { beforeAll, describe, expect, it } from "vitest";
import { getQuery, runCommand, type CommandBody } from "../support/api-client";
import { CapturedEvents } from "../support/captured-events";
import { deliver, ORDER_DETAILS } from "../support/queue-delivery";

const captured = new CapturedEvents();

const base64Url = (text: string) => btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Delivers everything the stream has sent to order-details so far that the view has not seen. */
async function applyToOrderDetails(streamId: string): Promise<void> {
  const { acked, ids } = await deliver(ORDER_DETAILS, captured.streamSentTo(ORDER_DETAILS, streamId));
  expect(acked).toEqual(ids);
}

describe("consistency tokens over HTTP", () => {
  let placed: CommandBody;

  beforeAll(async () => {
    await captured.install("order/co-1", "delivery/cd-1", "order/co-2");
    placed = await runCommand("order/co-1/place", { customerId: "cc-1", items: [{ sku: "a", quantity: 2, unitPrice: 300 }] });
  });

  it("answers 412 stale with Retry-After when the view has not reached the token in time", async () => {
    const started = Date.now();
    const response = await getQuery(`/orders/co-1?consistentWith=${placed.token}&wait=300`);
    expect(response.status).toBe(412);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(response.headers.get("Retry-After")).toMatch(/^[1-9][0-9]*$/);
    expect(await response.json()).toMatchObject({
      error: "stale",
      message: expect.any(String),
      pending: [{ projection: "order-details", streamId: "order/co-1", version: 1 }],
    });
  });

  it("answers 404, not stale data, for a query without a token before the projection ran", async () => {
    expect((await getQuery("/orders/co-1")).status).toBe(404);
  });

  it("waits for the batch and answers 200 with the new data as soon as it is applied", async () => {
    const query = getQuery(`/orders/co-1?consistentWith=${placed.token}&wait=3000`);
    await sleep(50);
    const started = Date.now();
    await applyToOrderDetails("order/co-1");
    const response = await query;
    expect(response.status).toBe(200);
    // Answered on catching up, not at the end of the 3 s wait (generous margin for a loaded CI box).
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await response.json()).toMatchObject({ id: "co-1", status: "placed", total: 600, version: 1 });
  });

  it("takes the token from the X-Consistency-Token header like the query parameter", async () => {
    const added = await runCommand("order/co-1/add-item", { sku: "b", quantity: 1, unitPrice: 50 });
    const stale = await getQuery("/orders/co-1?wait=200", { "X-Consistency-Token": added.token });
    expect(stale.status).toBe(412);
    expect(stale.headers.get("Retry-After")).not.toBeNull();

    const query = getQuery("/orders/co-1?wait=3000", { "X-Consistency-Token": added.token });
    await sleep(50);
    await applyToOrderDetails("order/co-1");
    const response = await query;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ total: 650, version: 2 });
  });

  it("waits for every stream of comma-merged tokens (an order and its delivery)", async () => {
    const order = await runCommand("order/co-1/add-item", { sku: "c", quantity: 1, unitPrice: 25 });
    const scheduled = await runCommand("delivery/cd-1/schedule", { orderId: "co-1", address: "1 Main St" });
    const merged = `${order.token},${scheduled.token}`;

    await applyToOrderDetails("order/co-1");
    const halfway = await getQuery(`/orders/co-1?consistentWith=${merged}&wait=250`);
    expect(halfway.status).toBe(412);
    expect(await halfway.json()).toMatchObject({ pending: [{ projection: "order-details", streamId: "delivery/cd-1", version: 1 }] });

    const query = getQuery(`/orders/co-1?consistentWith=${merged}&wait=3000`);
    await sleep(50);
    await applyToOrderDetails("delivery/cd-1");
    const response = await query;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ total: 675, version: 3, delivery: { id: "cd-1", status: "scheduled" } });
  });

  it("answers at once when the token is already reached", async () => {
    const started = Date.now();
    const response = await getQuery(`/orders/co-1?consistentWith=${placed.token}&wait=10000`);
    expect(response.status).toBe(200);
    // Not the 10 s wait: the checkpoint is already there.
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("applies tokens to the order-history query too", async () => {
    const other = await runCommand("order/co-2/place", { customerId: "cc-1", items: [{ sku: "z", quantity: 1, unitPrice: 1 }] });
    const response = await getQuery(`/customers/cc-1/orders?consistentWith=${other.token}&wait=150`);
    expect(response.status).toBe(412);
    expect(await response.json()).toMatchObject({ error: "stale", pending: [{ projection: "order-history", streamId: "order/co-2", version: 1 }] });
  });

  it.each([
    ["garbage", "garbage"],
    ["a.b", "a.b"],
    ["a stream id that is not one", `${base64Url("not-a-stream")}.1`],
    ["an id outside the alphabet", `${base64Url("order/o 1")}.1`],
    ["version -1", `${base64Url("order/co-1")}.-1`],
    ["version 1.5", `${base64Url("order/co-1")}.1.5`],
    ["a non-numeric version", `${base64Url("order/co-1")}.one`],
    ["an empty merged part", `${base64Url("order/co-1")}.1,`],
    ["a huge version", `${base64Url("order/co-1")}.99999999999999999999`],
    ["non-UTF-8 bytes", `${btoa("\xff\xfe/\xff").replaceAll("=", "")}.1`],
    ["more than 100 positions", Array.from({ length: 101 }, (_, i) => `${base64Url(`order/o-${i}`)}.1`).join(",")],
  ])("refuses a malformed token (%s) with 400 invalid_token, never 500", async (_, token) => {
    for (const response of [
      await getQuery(`/orders/co-1?consistentWith=${encodeURIComponent(token)}&wait=0`),
      await getQuery("/orders/co-1?wait=0", { "X-Consistency-Token": token }),
    ]) {
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_token", message: expect.any(String) });
    }
  });

  it.each(["20000", "-1", "soon"])("refuses wait=%s with 400", async (wait) => {
    const response = await getQuery(`/orders/co-1?consistentWith=${placed.token}&wait=${wait}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_query" });
  });
});
