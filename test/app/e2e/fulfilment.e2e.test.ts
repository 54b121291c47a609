import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWranglerDev, type WranglerDev } from "../../../scripts/wrangler-dev.mjs";
import { sharedExampleServer } from "../support/shared-dev-server";

// The stateful fulfilment process manager on a real `wrangler dev`: compensation (an order
// cancelled while its delivery is scheduled cancels the delivery) and a deadline on the
// instance's alarm (a delivery not picked up by `pickUpBy` fails with `not_picked_up`), with no
// outside scheduler, including across a restart of the whole local system. The first part runs on
// the run's shared example server, under ids of its own (fe-*, fd-*, c-fe*); the restart has its own.
const API = { Authorization: "Bearer dev-api-token", "Content-Type": "application/json" };
const ADMIN = { Authorization: "Bearer dev-admin-token" };
/** The manager acts asynchronously (queue → instance → command → queue → views); locally it takes milliseconds. */
const EFFECT_WITHIN_MS = 20_000;
const POLL_MS = 100;
const PLACE = (customerId: string) => ({ customerId, items: [{ sku: "tea", quantity: 1, unitPrice: 450 }] });

/** What these tests need of a server: where it answers. */
type Server = Pick<WranglerDev, "url">;

async function post(dev: Server, path: string, body: unknown = {}): Promise<Record<string, any>> {
  const response = await fetch(`${dev.url}${path}`, { method: "POST", headers: API, body: JSON.stringify(body) });
  const json = (await response.json()) as Record<string, any>;
  expect(response.status, JSON.stringify(json)).toBe(200);
  return json;
}

async function get(dev: Server, path: string, headers: Record<string, string> = API): Promise<{ status: number; body: Record<string, any> }> {
  const response = await fetch(`${dev.url}${path}`, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + EFFECT_WITHIN_MS;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The delivery's status in both views, once both show `status`. */
async function deliveryStatusInBothViews(dev: Server, orderId: string, customerId: string, status: string): Promise<void> {
  const details = await eventually(() => get(dev, `/orders/${orderId}`), (r) => r.body.delivery?.status === status, `order ${orderId}'s delivery to be ${status}`);
  expect(details.body.delivery).toMatchObject({ status });
  const history = await eventually(
    () => get(dev, `/customers/${customerId}/orders`),
    (r) => r.body.orders?.find((o: { id: string }) => o.id === orderId)?.deliveryStatus === status,
    `${customerId}'s history to show ${status}`,
  );
  expect(history.body.orders.find((o: { id: string }) => o.id === orderId)).toMatchObject({ deliveryStatus: status });
}

async function deliveryEvents(dev: Server, id: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  return (await get(dev, `/streams/delivery/${id}`, ADMIN)).body.events;
}

describe("fulfilment on wrangler dev", () => {
  let dev: Server;

  beforeAll(async () => {
    dev = { url: await sharedExampleServer() };
  });

  it("cancels a scheduled delivery when its order is cancelled: both views show it cancelled", async () => {
    await post(dev, "/commands/order/fe-1/place", PLACE("c-fe1"));
    await post(dev, "/commands/delivery/fd-1/schedule", { orderId: "fe-1", address: "1 Main St" });
    await post(dev, "/commands/order/fe-1/cancel", { reason: "changed my mind" });

    await deliveryStatusInBothViews(dev, "fe-1", "c-fe1", "cancelled");
    expect((await get(dev, "/orders/fe-1")).body.status).toBe("cancelled");
    expect((await deliveryEvents(dev, "fd-1")).map((e) => e.type)).toEqual(["DeliveryScheduled", "DeliveryCancelled"]);
  });

  it("ships an order through fulfilment only: ship and mark-delivered are internal commands", async () => {
    await post(dev, "/commands/order/fe-7/place", PLACE("c-fe7"));
    for (const command of ["ship", "mark-delivered"]) {
      for (const headers of [API, { ...ADMIN, "Content-Type": "application/json" }]) {
        const response = await fetch(`${dev.url}/commands/order/fe-7/${command}`, { method: "POST", headers, body: "{}" });
        const expected = headers === API ? { status: 403, error: "internal_command" } : { status: 401, error: "unauthorized" };
        expect({ status: response.status, error: ((await response.json()) as { error: string }).error }).toEqual(expected);
      }
    }
    const paths = Object.keys((await get(dev, "/openapi.json", {})).body.paths);
    expect(paths).toContain("/commands/order/{id}/place");
    expect(paths.filter((p) => p.endsWith("/ship") || p.endsWith("/mark-delivered"))).toEqual([]);

    await post(dev, "/commands/delivery/fd-7/schedule", { orderId: "fe-7", address: "7 Main St" });
    await post(dev, "/commands/delivery/fd-7/pick-up");
    const shipped = await eventually(() => get(dev, "/orders/fe-7"), (r) => r.body.status === "shipped", "fulfilment to ship fe-7");
    expect(shipped.body.delivery).toMatchObject({ id: "fd-7", status: "picked_up" });
  });

  it("fails a delivery that is not picked up by its pickUpBy with not_picked_up", async () => {
    const pickUpBy = new Date(Date.now() + 3_000).toISOString();
    await post(dev!, "/commands/order/fe-2/place", PLACE("c-fe2"));
    await post(dev!, "/commands/delivery/fd-2/schedule", { orderId: "fe-2", address: "2 Main St", pickUpBy });

    await deliveryStatusInBothViews(dev!, "fe-2", "c-fe2", "failed");
    const events = await deliveryEvents(dev!, "fd-2");
    expect(events.map((e) => e.type)).toEqual(["DeliveryScheduled", "DeliveryFailed"]);
    expect(events[1]!.data).toMatchObject({ reason: "not_picked_up" });
    // The order itself stays placed: nothing shipped it.
    expect((await get(dev!, "/orders/fe-2")).body.status).toBe("placed");
  });

  it("fails at once a delivery whose pickUpBy is at the epoch or in year 1", async () => {
    const cases = [
      { order: "fe-3", delivery: "fd-3", pickUpBy: "1970-01-01T00:00:00Z" },
      { order: "fe-4", delivery: "fd-4", pickUpBy: "0001-01-01T00:00:00Z" },
    ];
    for (const c of cases) {
      await post(dev!, `/commands/order/${c.order}/place`, PLACE(`c-${c.order}`));
      await post(dev!, `/commands/delivery/${c.delivery}/schedule`, { orderId: c.order, address: "4 Main St", pickUpBy: c.pickUpBy });
    }
    for (const c of cases) {
      const events = await eventually(() => deliveryEvents(dev!, c.delivery), (e) => e.length === 2, `${c.delivery} to fail`);
      expect(events.map((e) => e.type)).toEqual(["DeliveryScheduled", "DeliveryFailed"]);
      expect(events[1]!.data).toMatchObject({ reason: "not_picked_up" });
    }
  });

  it("fails each of an order's two deliveries at its own deadline", async () => {
    const first = new Date(Date.now() + 2_000).toISOString();
    const second = new Date(Date.now() + 4_000).toISOString();
    await post(dev!, "/commands/order/fe-5/place", PLACE("c-fe5"));
    await post(dev!, "/commands/delivery/fd-5a/schedule", { orderId: "fe-5", address: "5 Main St", pickUpBy: first });
    await post(dev!, "/commands/delivery/fd-5b/schedule", { orderId: "fe-5", address: "5 Main St", pickUpBy: second });

    for (const id of ["fd-5a", "fd-5b"]) {
      const events = await eventually(() => deliveryEvents(dev!, id), (e) => e.length === 2, `${id} to fail`);
      expect(events[1]).toMatchObject({ type: "DeliveryFailed", data: { reason: "not_picked_up" } });
    }
    const [a, b] = await Promise.all([deliveryEvents(dev!, "fd-5a"), deliveryEvents(dev!, "fd-5b")]);
    // Each at its own time: the second one not before its own deadline.
    expect(Date.parse(String(b[1]!.data.failedAt))).toBeGreaterThanOrEqual(Date.parse(second));
    expect(Date.parse(String(a[1]!.data.failedAt))).toBeGreaterThanOrEqual(Date.parse(first));
    const instance = await eventually(
      () => get(dev!, "/admin/process-managers/fulfilment/fe-5", ADMIN),
      (r) => r.body.outbox?.length === 0 && r.body.timers?.length === 0,
      "fe-5's timers and outbox to empty",
    );
    expect(instance.body.state).toEqual({ orderCancelled: false, deliveries: {} });
  });

  it("cancels every scheduled delivery of an order when the order is cancelled", async () => {
    const later = new Date(Date.now() + 600_000).toISOString();
    await post(dev!, "/commands/order/fe-6/place", PLACE("c-fe6"));
    await post(dev!, "/commands/delivery/fd-6a/schedule", { orderId: "fe-6", address: "6 Main St", pickUpBy: later });
    await post(dev!, "/commands/delivery/fd-6b/schedule", { orderId: "fe-6", address: "6 Main St", pickUpBy: later });
    await eventually(
      () => get(dev!, "/admin/process-managers/fulfilment/fe-6", ADMIN),
      (r) => r.body.timers?.length === 2,
      "both deadlines to be set",
    );
    await post(dev!, "/commands/order/fe-6/cancel", {});

    for (const id of ["fd-6a", "fd-6b"]) {
      const events = await eventually(() => deliveryEvents(dev!, id), (e) => e.length === 2, `${id} to be cancelled`);
      expect(events.map((e) => e.type)).toEqual(["DeliveryScheduled", "DeliveryCancelled"]);
    }
    const instance = await eventually(
      () => get(dev!, "/admin/process-managers/fulfilment/fe-6", ADMIN),
      (r) => r.body.timers?.length === 0 && Object.keys(r.body.state?.deliveries ?? { x: 1 }).length === 0,
      "fe-6's deadlines to be cancelled",
    );
    expect(instance.body.state).toEqual({ orderCancelled: true, deliveries: {} });
  });
});

describe("a deadline across a wrangler dev restart", () => {
  const state = mkdtempSync(join(tmpdir(), "edge-cqrs-deadline-"));
  let dev: WranglerDev | undefined;

  afterAll(async () => {
    await dev?.stop();
    rmSync(state, { recursive: true, force: true });
  });

  it("fires after the restart, exactly once", async () => {
    dev = await startWranglerDev({ persistTo: state });
    const pickUpBy = new Date(Date.now() + 6_000).toISOString();
    await post(dev, "/commands/order/fr-1/place", PLACE("c-fr1"));
    await post(dev, "/commands/delivery/fdr-1/schedule", { orderId: "fr-1", address: "3 Main St", pickUpBy });
    // The instance holds the deadline before the system goes down.
    const instance = await eventually(
      () => get(dev!, "/admin/process-managers/fulfilment/fr-1", ADMIN),
      (r) => r.status === 200 && r.body.timers.length === 1,
      "the deadline to be set",
    );
    expect(instance.body.timers[0]).toMatchObject({ id: "pick-up-by:fdr-1", at: pickUpBy, payload: { deliveryId: "fdr-1" } });
    expect((await deliveryEvents(dev, "fdr-1")).map((e) => e.type)).toEqual(["DeliveryScheduled"]);
    await dev.stop();
    dev = undefined;

    dev = await startWranglerDev({ persistTo: state });
    await deliveryStatusInBothViews(dev, "fr-1", "c-fr1", "failed");
    const after = await eventually(
      () => get(dev!, "/admin/process-managers/fulfilment/fr-1", ADMIN),
      (r) => r.body.outbox?.length === 0,
      "the outbox to drain",
    );
    expect(after.body.timers).toEqual([]);
    expect(after.body.decisions.filter((d: { message: { kind: string } }) => d.message.kind === "timer")).toHaveLength(1);
    const events = await deliveryEvents(dev, "fdr-1");
    expect(events.map((e) => e.type)).toEqual(["DeliveryScheduled", "DeliveryFailed"]);
    expect(events[1]!.data).toMatchObject({ reason: "not_picked_up" });
  });
});
