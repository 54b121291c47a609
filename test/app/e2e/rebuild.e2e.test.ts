import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWranglerDev, type WranglerDev } from "../../../scripts/wrangler-dev.mjs";

// Rebuilding the example's two views (order-details, order-history) on a real `wrangler dev`
// while commands keep arriving: every handler of both projections runs, first live and then
// again over the full history into the shadow tables (whose SQL the runtime rewrites to the
// shadow names). Queries keep answering from the live view, never older than before; once both
// rebuilds are switched in, every view equals what the same traffic built incrementally.
const API = { Authorization: "Bearer dev-api-token", "Content-Type": "application/json" };
const ADMIN = { Authorization: "Bearer dev-admin-token" };
const PROJECTIONS = ["order-details", "order-history"] as const;
/** The example's projections declare no `version`: the runtime's default. */
const VIEW_VERSION = 1;
/** A rebuild of a few dozen streams takes seconds locally; the bound only stops a stuck run. */
const REBUILD_WITHIN_MS = 120_000;
/** The process manager acts asynchronously (queue → instance → command → queue → views). */
const EFFECT_WITHIN_MS = 20_000;
const POLL_MS = 100;

const CUSTOMERS = ["c-rb1", "c-rb2", "c-rb3"];
/** Orders placed before the rebuild: a few with a scripted life, the rest with lines only. */
const ORDERS = Array.from({ length: 18 }, (_, i) => `rb-${i + 1}`);
/** Orders that receive commands while the rebuild runs (rb-19 is placed meanwhile). */
const TOUCHED = ["rb-9", "rb-10", "rb-11", "rb-19"];
const customerOf = (orderId: string) => CUSTOMERS[Number(orderId.slice(3)) % CUSTOMERS.length]!;
const placeOrder = (orderId: string) => {
  const n = Number(orderId.slice(3));
  return {
    customerId: customerOf(orderId),
    items: [
      { sku: "tea", quantity: 1 + (n % 3), unitPrice: 450 },
      { sku: "scones", quantity: 1, unitPrice: 300 + n },
      ...(n % 2 === 0 ? [{ sku: "jam", quantity: 2, unitPrice: 250 }] : []),
    ],
  };
};

interface Item {
  sku: string;
  quantity: number;
  unitPrice: number;
}
interface OrderView {
  id: string;
  customerId: string;
  status: string;
  items: Item[];
  total: number;
  delivery: { id: string; status: string } | null;
  version: number;
}
interface HistoryEntry {
  id: string;
  status: string;
  total: number;
  itemCount: number;
  deliveryStatus: string | null;
  placedAt: string;
}
interface HistoryView {
  orders: HistoryEntry[];
  cursor: string | null;
}
interface RebuildStatus {
  state: "idle" | "rebuilding" | "failed";
  rebuildId?: string;
  reason?: string;
  done?: number;
  total?: number;
}
interface ProjectionStatus {
  name: string;
  kind: string;
  version: number | null;
  rebuild: RebuildStatus;
  deadLetters: number;
  failingStreams: unknown[];
}

let dev: WranglerDev;

beforeAll(async () => {
  dev = await startWranglerDev();
});

afterAll(async () => {
  await dev?.stop();
});

/** The consistency tokens of every command sent, by order: a read with them sees all of its writes. */
const tokens = new Map<string, string[]>();

async function command(aggregate: "order" | "delivery", id: string, name: string, payload: unknown, orderId: string): Promise<void> {
  const response = await fetch(`${dev.url}/commands/${aggregate}/${id}/${name}`, { method: "POST", headers: API, body: JSON.stringify(payload) });
  const body = (await response.json()) as { token: string };
  expect(response.status, `${aggregate}/${id} ${name}: ${JSON.stringify(body)}`).toBe(200);
  tokens.set(orderId, [...(tokens.get(orderId) ?? []), body.token]);
}

const order = (orderId: string, name: string, payload: unknown = {}) => command("order", orderId, name, payload, orderId);
const delivery = (deliveryId: string, name: string, payload: unknown, orderId: string) => command("delivery", deliveryId, name, payload, orderId);

async function get<T>(path: string, headers: Record<string, string> = API): Promise<{ status: number; body: T }> {
  const response = await fetch(`${dev.url}${path}`, { headers });
  return { status: response.status, body: (await response.json()) as T };
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, withinMs = EFFECT_WITHIN_MS): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

const consistentWith = (orderIds: readonly string[]) => orderIds.flatMap((id) => tokens.get(id) ?? []).join(",");

/** `GET /orders/:id`, consistent with every command sent for the order (a 412 `stale` is retried, bounded). */
async function details(orderId: string): Promise<OrderView> {
  const { status, body } = await eventually(
    () => get<OrderView>(`/orders/${orderId}?consistentWith=${consistentWith([orderId])}`),
    (r) => r.status !== 412,
    `order-details to reach ${orderId}'s writes`,
  );
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
}

/** The customer's history (one page holds it all), consistent with every command sent for their orders. */
async function history(customerId: string): Promise<HistoryView> {
  const theirs = [...tokens.keys()].filter((id) => customerOf(id) === customerId);
  const { status, body } = await eventually(
    () => get<HistoryView>(`/customers/${customerId}/orders?limit=100&consistentWith=${consistentWith(theirs)}`),
    (r) => r.status !== 412,
    `order-history to reach ${customerId}'s writes`,
  );
  expect(status, JSON.stringify(body)).toBe(200);
  expect(body.cursor).toBeNull();
  return body;
}

async function projectionStatuses(): Promise<Map<string, ProjectionStatus>> {
  const { status, body } = await get<{ projections: ProjectionStatus[] }>("/admin/projections", ADMIN);
  expect(status).toBe(200);
  return new Map(body.projections.filter((p) => p.kind === "projection").map((p) => [p.name, p]));
}

async function rebuild(name: string): Promise<{ status: number; body: { rebuildId?: string; error?: string } }> {
  const response = await fetch(`${dev.url}/admin/projections/${name}/rebuild`, { method: "POST", headers: ADMIN });
  return { status: response.status, body: (await response.json()) as { rebuildId?: string; error?: string } };
}

/** Waits until the process manager's effects (no token names them) show in both views. */
async function settled(orderId: string, status: string, deliveryStatus: string | null): Promise<void> {
  await eventually(
    () => get<OrderView>(`/orders/${orderId}`),
    (r) => r.body.status === status && (r.body.delivery?.status ?? null) === deliveryStatus,
    `${orderId} to be ${status} / ${deliveryStatus}`,
  );
  await eventually(
    () => get<HistoryView>(`/customers/${customerOf(orderId)}/orders?limit=100`),
    (r) => r.body.orders.some((o) => o.id === orderId && o.status === status && o.deliveryStatus === deliveryStatus),
    `${orderId} in the history to be ${status} / ${deliveryStatus}`,
  );
}

/**
 * Reads every view over and over until `stop` resolves, and reports what a reader must never see
 * while a rebuild runs: an error, an order whose version went down, an order untouched since
 * `snapshot` that reads differently, or an order missing from its customer's history.
 */
async function watchWhileRebuilding(
  snapshot: { details: Map<string, OrderView>; history: Map<string, HistoryView> },
  stop: Promise<void>,
): Promise<{ problems: string[]; rounds: number }> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  const problems: string[] = [];
  const seenVersion = new Map([...snapshot.details].map(([id, view]) => [id, view.version]));
  let rounds = 0;
  const readOrder = async (id: string) => {
    const { status, body } = await get<OrderView>(`/orders/${id}`);
    if (status !== 200) {
      problems.push(`GET /orders/${id} answered ${status}: ${JSON.stringify(body)}`);
      return;
    }
    if (body.version < seenVersion.get(id)!) problems.push(`${id} went back from version ${seenVersion.get(id)} to ${body.version}`);
    else if (!TOUCHED.includes(id) && JSON.stringify(body) !== JSON.stringify(snapshot.details.get(id))) problems.push(`${id} changed: ${JSON.stringify(body)}`);
    seenVersion.set(id, Math.max(seenVersion.get(id)!, body.version));
  };
  const readHistory = async (customerId: string) => {
    const { status, body } = await get<HistoryView>(`/customers/${customerId}/orders?limit=100`);
    if (status !== 200) {
      problems.push(`the history of ${customerId} answered ${status}: ${JSON.stringify(body)}`);
      return;
    }
    for (const before of snapshot.history.get(customerId)!.orders) {
      const now = body.orders.find((o) => o.id === before.id);
      if (!now) problems.push(`${before.id} is missing from the history of ${customerId}`);
      else if (!TOUCHED.includes(before.id) && JSON.stringify(now) !== JSON.stringify(before)) problems.push(`${before.id} changed in the history: ${JSON.stringify(now)}`);
    }
  };
  while (!stopped) {
    rounds++;
    await Promise.all([...ORDERS.map(readOrder), ...CUSTOMERS.map(readHistory)]);
  }
  return { problems, rounds };
}

describe("rebuilding the example's views on wrangler dev while commands keep arriving", () => {
  const snapshot = { details: new Map<string, OrderView>(), history: new Map<string, HistoryView>() };

  it("runs every handler of both projections with real traffic and keeps what the views show", async () => {
    for (const id of ORDERS) await order(id, "place", placeOrder(id));
    // ItemAdded as a new line and onto an existing sku (the upsert with its position subquery), ItemRemoved.
    await order("rb-1", "add-item", { sku: "biscuits", quantity: 3, unitPrice: 120 });
    await order("rb-1", "add-item", { sku: "tea", quantity: 2, unitPrice: 450 });
    await order("rb-1", "remove-item", { sku: "scones" });
    await order("rb-9", "add-item", { sku: "honey", quantity: 1, unitPrice: 600 });
    // A delivery picked up then delivered: the process manager ships, then marks the order delivered.
    await delivery("rbd-2", "schedule", { orderId: "rb-2", address: "2 Main St" }, "rb-2");
    await delivery("rbd-2", "pick-up", {}, "rb-2");
    await delivery("rbd-2", "deliver", {}, "rb-2");
    // A delivery that fails, one cancelled, an order cancelled (and with it its scheduled delivery).
    await delivery("rbd-3", "schedule", { orderId: "rb-3", address: "3 Main St" }, "rb-3");
    await delivery("rbd-3", "fail", { reason: "address not found" }, "rb-3");
    await delivery("rbd-4", "schedule", { orderId: "rb-4", address: "4 Main St" }, "rb-4");
    await delivery("rbd-4", "cancel", {}, "rb-4");
    await order("rb-5", "cancel", { reason: "changed my mind" });
    await delivery("rbd-6", "schedule", { orderId: "rb-6", address: "6 Main St" }, "rb-6");
    await order("rb-6", "cancel", {});
    // A second delivery after a failed one: the views show the latest.
    await delivery("rbd-7a", "schedule", { orderId: "rb-7", address: "7 Main St" }, "rb-7");
    await delivery("rbd-7a", "fail", { reason: "van broke down" }, "rb-7");
    await delivery("rbd-7b", "schedule", { orderId: "rb-7", address: "7 Main St" }, "rb-7");

    await settled("rb-2", "delivered", "delivered");
    await settled("rb-6", "cancelled", "cancelled");
    for (const id of ORDERS) snapshot.details.set(id, await details(id));
    for (const customerId of CUSTOMERS) snapshot.history.set(customerId, await history(customerId));

    // The traffic did what it says, so the comparison after the rebuild compares something.
    expect(snapshot.details.get("rb-1")).toMatchObject({
      items: [
        { sku: "tea", quantity: 2 + 2, unitPrice: 450 },
        { sku: "biscuits", quantity: 3, unitPrice: 120 },
      ],
      total: 4 * 450 + 3 * 120,
      version: 4,
    });
    expect(snapshot.details.get("rb-2")).toMatchObject({ status: "delivered", delivery: { id: "rbd-2", status: "delivered" } });
    expect(snapshot.details.get("rb-3")).toMatchObject({ status: "placed", delivery: { id: "rbd-3", status: "failed" } });
    expect(snapshot.details.get("rb-4")).toMatchObject({ status: "placed", delivery: { id: "rbd-4", status: "cancelled" } });
    expect(snapshot.details.get("rb-5")).toMatchObject({ status: "cancelled", delivery: null });
    expect(snapshot.details.get("rb-7")).toMatchObject({ delivery: { id: "rbd-7b", status: "scheduled" } });
    const rb1InHistory = snapshot.history.get(customerOf("rb-1"))!.orders.find((o) => o.id === "rb-1");
    expect(rb1InHistory).toMatchObject({ total: 4 * 450 + 3 * 120, itemCount: 4 + 3 });
    expect(snapshot.history.get(customerOf("rb-2"))!.orders.find((o) => o.id === "rb-2")).toMatchObject({ status: "delivered", deliveryStatus: "delivered" });
    expect([...snapshot.history.values()].flatMap((h) => h.orders.map((o) => o.id)).sort()).toEqual([...ORDERS].sort());
  });

  it(
    "rebuilds both views with zero downtime, then every view equals the incremental build",
    async () => {
      const before = await projectionStatuses();
      for (const name of PROJECTIONS) expect(before.get(name)?.rebuild.state, name).toBe("idle");

      // A second request for order-details goes out with the first: asked one request later, the
      // example's small rebuild had sometimes finished already on a busy machine. Exactly one of
      // the two starts it; the other answers 409 with the winner's id.
      const [detailsStarted, historyStarted, again] = await Promise.all([rebuild("order-details"), rebuild("order-history"), rebuild("order-details")]);
      expect(historyStarted.status, JSON.stringify(historyStarted)).toBe(202);
      const [winner, second] = detailsStarted.status === 202 ? [detailsStarted, again] : [again, detailsStarted];
      expect(winner.status, JSON.stringify([detailsStarted, again])).toBe(202);
      expect(second.status).toBe(409);
      expect(second.body).toMatchObject({ error: "rebuild_running", rebuildId: winner.body.rebuildId });

      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const watching = watchWhileRebuilding(snapshot, finished);

      // Live traffic during the rebuild: the upsert and a removal, a delivery the process manager
      // ships, a cancellation, and an order whose stream did not exist when the rebuild started.
      await order("rb-9", "add-item", { sku: "honey", quantity: 2, unitPrice: 600 });
      await order("rb-9", "remove-item", { sku: "tea" });
      await delivery("rbd-10", "schedule", { orderId: "rb-10", address: "10 Main St" }, "rb-10");
      await delivery("rbd-10", "pick-up", {}, "rb-10");
      await order("rb-11", "cancel", { reason: "found it cheaper" });
      await order("rb-19", "place", placeOrder("rb-19"));
      await order("rb-19", "add-item", { sku: "tea", quantity: 1, unitPrice: 450 });
      // The views as the same traffic builds them incrementally (the live tables meanwhile).
      await settled("rb-10", "shipped", "picked_up");
      const incremental = new Map<string, OrderView>();
      for (const id of TOUCHED) incremental.set(id, await details(id));
      const incrementalHistory = new Map<string, HistoryView>();
      for (const customerId of CUSTOMERS) incrementalHistory.set(customerId, await history(customerId));

      const after = await eventually(
        async () => {
          const statuses = await projectionStatuses();
          for (const name of PROJECTIONS) {
            const { rebuild: state } = statuses.get(name)!;
            if (state.state === "failed") throw new Error(`the rebuild of ${name} failed: ${state.reason}`);
          }
          return statuses;
        },
        (statuses) => PROJECTIONS.every((name) => statuses.get(name)!.rebuild.state === "idle"),
        "both rebuilds to switch in",
        REBUILD_WITHIN_MS,
      );
      finish();
      const { problems, rounds } = await watching;
      expect(problems).toEqual([]);
      expect(rounds).toBeGreaterThan(0);
      for (const name of PROJECTIONS) {
        expect(after.get(name), name).toMatchObject({ version: VIEW_VERSION, rebuild: { state: "idle" }, deadLetters: 0, failingStreams: [] });
      }

      // Every token met before the switch is met after it: no checkpoint moved back.
      for (const id of [...ORDERS, "rb-19"]) {
        const { status } = await get(`/orders/${id}?consistentWith=${consistentWith([id])}&wait=0`);
        expect(status, id).toBe(200);
      }
      // The rebuilt views: untouched orders exactly as before, touched ones as the live traffic built them.
      for (const id of ORDERS.filter((o) => !TOUCHED.includes(o))) expect(await details(id), id).toEqual(snapshot.details.get(id));
      for (const id of TOUCHED) expect(await details(id), id).toEqual(incremental.get(id));
      for (const customerId of CUSTOMERS) expect(await history(customerId), customerId).toEqual(incrementalHistory.get(customerId));

      // And the live traffic is in them.
      expect(incremental.get("rb-9")).toMatchObject({ items: [{ sku: "scones" }, { sku: "honey", quantity: 3 }], version: 4 });
      expect(incremental.get("rb-10")).toMatchObject({ status: "shipped", delivery: { id: "rbd-10", status: "picked_up" } });
      expect(incremental.get("rb-11")).toMatchObject({ status: "cancelled" });
      expect(incremental.get("rb-19")).toMatchObject({ items: [{ sku: "tea", quantity: 2 + 1 }, { sku: "scones" }], version: 2 });
      const untouchedHistory = (view: HistoryView) => view.orders.filter((o) => !TOUCHED.includes(o.id));
      for (const customerId of CUSTOMERS) {
        expect(untouchedHistory(incrementalHistory.get(customerId)!), customerId).toEqual(untouchedHistory(snapshot.history.get(customerId)!));
      }
    },
    REBUILD_WITHIN_MS + 60_000,
  );
});
