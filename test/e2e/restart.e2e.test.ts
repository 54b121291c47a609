import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startWranglerDev, type WranglerDev } from "../../scripts/wrangler-dev.mjs";

// A restart of the whole local system (workerd, Durable Objects, D1) over the same state: the
// stream, its command log and the read model come back as they were, and work goes on from there.
const API = { Authorization: "Bearer dev-api-token", "Content-Type": "application/json" };
const ADMIN = { Authorization: "Bearer dev-admin-token" };
const state = mkdtempSync(join(tmpdir(), "edge-cqrs-restart-"));
let dev: WranglerDev | undefined;

afterAll(async () => {
  await dev?.stop();
  rmSync(state, { recursive: true, force: true });
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${dev!.url}${path}`, { method: "POST", headers: { ...API, ...headers }, body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

async function get(path: string, headers: Record<string, string> = API) {
  const response = await fetch(`${dev!.url}${path}`, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe("restarting wrangler dev over the same state", () => {
  let placedBody: Record<string, any>;
  let streamBefore: Record<string, any>;

  it("writes an order and reads it back before the restart", async () => {
    dev = await startWranglerDev({ persistTo: state });
    const placed = await post("/commands/order/r-1/place", { customerId: "c-r", items: [{ sku: "tea", quantity: 1, unitPrice: 450 }] }, { "Idempotency-Key": "r-1-place" });
    expect(placed.status).toBe(200);
    placedBody = placed.body;
    const added = await post("/commands/order/r-1/add-item", { sku: "cup", quantity: 2, unitPrice: 800 });
    expect((await get(`/orders/r-1?consistentWith=${added.body.token}`)).body).toMatchObject({ version: 2, total: 2050 });
    streamBefore = (await get("/streams/order/r-1", ADMIN)).body;
    await dev.stop();
    dev = undefined;
  });

  it("comes back with the same stream, view and command log, and carries on", async () => {
    dev = await startWranglerDev({ persistTo: state });
    expect((await get("/streams/order/r-1", ADMIN)).body).toEqual(streamBefore);
    expect((await get("/orders/r-1")).body).toMatchObject({ status: "placed", version: 2, total: 2050 });

    // The command log survived: the first command's key replays its first answer.
    const replayed = await post("/commands/order/r-1/place", { customerId: "c-r", items: [{ sku: "tea", quantity: 1, unitPrice: 450 }] }, { "Idempotency-Key": "r-1-place" });
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get("Idempotent-Replayed")).toBe("true");
    expect(replayed.body).toEqual(placedBody);

    const shipped = await post("/commands/order/r-1/ship", {}, { "If-Match": '"2"' });
    expect(shipped.body).toMatchObject({ version: 3 });
    expect((await get(`/orders/r-1?consistentWith=${shipped.body.token}`)).body).toMatchObject({ status: "shipped", version: 3 });
  });
});
