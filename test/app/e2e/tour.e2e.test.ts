import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { sharedExampleServer } from "../support/shared-dev-server";

// The README's 60-second tour, step by step, against a real `wrangler dev` over HTTP. The ids and
// payloads below are the README's: change them together. The server is the run's shared one (fresh
// local state, so the fixed ids never collide with an earlier run); no other file uses these ids,
// and before the first step the tour checks that nothing exists under them, so every answer below
// is the one a fresh `npm start` gives.
const API_TOKEN = "dev-api-token";
const ADMIN_TOKEN = "dev-admin-token";
const ORDER_ID = "o-1";
const CUSTOMER_ID = "c-1";
const DELIVERY_ID = "d-1";
const PLACE_ORDER = {
  customerId: CUSTOMER_ID,
  items: [
    { sku: "tea", quantity: 2, unitPrice: 450 },
    { sku: "scones", quantity: 1, unitPrice: 300 },
  ],
};
const PLACED_TOTAL = 2 * 450 + 300;
const ADD_ITEM = { sku: "jam", quantity: 1, unitPrice: 250 };
const TOTAL_AFTER_ADD = PLACED_TOTAL + 250;
const SCHEDULE_DELIVERY = { orderId: ORDER_ID, address: "1 Main St" };
/** The process manager ships the order asynchronously (queue → command); locally it takes milliseconds. */
const SHIPPED_WITHIN_MS = 10_000;
const POLL_MS = 50;

interface CommandSuccess {
  streamId: string;
  version: number;
  events: { eventId: string; type: string; version: number }[];
  token: string;
}
interface OrderView {
  id: string;
  customerId: string;
  status: string;
  items: { sku: string; quantity: number; unitPrice: number }[];
  total: number;
  delivery: { id: string; status: string } | null;
  version: number;
}

let url: string;

beforeAll(async () => {
  url = await sharedExampleServer();
  expect((await get(`/streams/order/${ORDER_ID}`, ADMIN_TOKEN)).status).toBe(404);
  expect((await get(`/streams/delivery/${DELIVERY_ID}`, ADMIN_TOKEN)).status).toBe(404);
  expect((await get(`/customers/${CUSTOMER_ID}/orders`)).body).toMatchObject({ orders: [] });
});

async function command(aggregate: string, id: string, name: string, payload: unknown = {}): Promise<CommandSuccess> {
  const response = await fetch(`${url}/commands/${aggregate}/${id}/${name}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${API_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify(payload),
  });
  const body = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body as CommandSuccess;
}

async function get(path: string, token: string | null = API_TOKEN): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${path}`, { headers: token === null ? {} : { Authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json() };
}

describe("the README tour, over HTTP against wrangler dev", () => {
  let placed: CommandSuccess;
  let added: CommandSuccess;
  let pickedUp: CommandSuccess;

  it("1. places an order", async () => {
    placed = await command("order", ORDER_ID, "place", PLACE_ORDER);
    expect(placed).toMatchObject({ streamId: `order/${ORDER_ID}`, version: 1, events: [{ type: "OrderPlaced", version: 1 }] });
    expect(placed.token).toMatch(/^[A-Za-z0-9._~-]+$/);
  });

  it("2. reads its own write with the consistency token, without sleeping", async () => {
    const { status, body } = await get(`/orders/${ORDER_ID}?consistentWith=${placed.token}`);
    expect(status).toBe(200);
    expect(body).toEqual({
      id: ORDER_ID,
      customerId: CUSTOMER_ID,
      status: "placed",
      items: PLACE_ORDER.items,
      total: PLACED_TOTAL,
      delivery: null,
      version: 1,
    } satisfies OrderView);
  });

  it("3. adds an item and reads the new total with the new token", async () => {
    added = await command("order", ORDER_ID, "add-item", ADD_ITEM);
    expect(added.version).toBe(2);
    const { status, body } = await get(`/orders/${ORDER_ID}?consistentWith=${added.token}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ version: 2, total: TOTAL_AFTER_ADD, items: [...PLACE_ORDER.items, ADD_ITEM] });
  });

  it("4. schedules and picks up a delivery; the process manager ships the order", async () => {
    await command("delivery", DELIVERY_ID, "schedule", SCHEDULE_DELIVERY);
    pickedUp = await command("delivery", DELIVERY_ID, "pick-up");
    expect(pickedUp.events.map((e) => e.type)).toEqual(["DeliveryPickedUp"]);

    // The ship command comes from the process manager, so no token names it: poll, bounded.
    const deadline = Date.now() + SHIPPED_WITHIN_MS;
    let view: OrderView | undefined;
    while (Date.now() < deadline) {
      const { status, body } = await get(`/orders/${ORDER_ID}`);
      expect(status).toBe(200);
      view = body as OrderView;
      if (view.status === "shipped" && view.delivery?.status === "picked_up") break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    expect(view).toMatchObject({ status: "shipped", delivery: { id: DELIVERY_ID, status: "picked_up" } });
  });

  it("5. lists the order in the customer's history with its delivery status", async () => {
    const { status, body } = await get(`/customers/${CUSTOMER_ID}/orders?consistentWith=${pickedUp.token}`);
    expect(status).toBe(200);
    expect(body.orders).toEqual([expect.objectContaining({ id: ORDER_ID, total: TOTAL_AFTER_ADD, deliveryStatus: "picked_up" })]);
    expect(body.cursor).toBeNull();
  });

  it("6. shows the order's stream to the admin, OrderShipped caused by DeliveryPickedUp", async () => {
    const { status, body } = await get(`/streams/order/${ORDER_ID}`, ADMIN_TOKEN);
    expect(status).toBe(200);
    const events = body.events as { type: string; version: number; metadata: { causationId: string } }[];
    expect(events.map((e) => e.type)).toEqual(["OrderPlaced", "ItemAdded", "OrderShipped"]);
    expect(events.map((e) => e.version)).toEqual([1, 2, 3]);
    expect(events[2]?.metadata.causationId).toBe(pickedUp.events[0]?.eventId);
  });

  it("7. refuses a request without a token, with the body the README shows", async () => {
    const { status, body } = await get(`/orders/${ORDER_ID}`, null);
    expect(status).toBe(401);
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const shown = readme.match(new RegExp(`^curl -s localhost:8787/orders/${ORDER_ID} +# (\\{.*\\})$`, "m"))?.[1];
    expect(shown, "the README's step 7 line").toBeDefined();
    expect(body).toEqual(JSON.parse(shown!));
  });

  it("8. serves the OpenAPI document without a token", async () => {
    const { status, body } = await get("/openapi.json", null);
    expect(status).toBe(200);
    expect(body.openapi).toBe("3.1.0");
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(["/commands/order/{id}/place", "/orders/{id}"]));
  });
});
