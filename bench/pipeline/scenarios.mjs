// The four pipeline scenarios of the comparison. Each gets a client for one system and returns
// its figures; both systems answer the same wire shape, so the same code drives either.
import { performance } from "node:perf_hooks";
import { closedLoop, drain } from "../lib/load.mjs";
import { percentiles } from "../lib/stats.mjs";

/** Orders the write→read loop cycles over: few enough to stay warm, more than one to be realistic. */
const WRITE_READ_ORDERS = 10;
/** Ten skus in turn keep every line far below the order's 10,000-unit limit per sku. */
const SKUS = 10;
/** Bounds of set-up steps that are not measured (placing the orders a phase then uses). */
const SETUP_SECONDS = 120;
/**
 * After a new-aggregates phase, long enough for every object it created to have run its outbox's
 * safety alarm (OUTBOX_SAFETY_DELAY_MS, 5 s, in src/runtime/outbox): otherwise the alarms of the
 * last seconds of one system's phase would fire during the next system's, charging its work to the
 * wrong side. Every system waits the same, so none is favoured.
 */
const SETTLE_AFTER_NEW_MS = 6_000;

const placeOrder = { customerId: "c-bench", items: [{ sku: "tea", quantity: 1, unitPrice: 450 }] };
const addItem = (i) => ({ sku: `s${i % SKUS}`, quantity: 1, unitPrice: 450 });
const commandPath = (id, command) => `/commands/order/${id}/${command}`;

/** @typedef {{ prefix: string, concurrency: number, commands: number, seconds: number, aggregates: number, iterations: number }} ScenarioContext */

/** A phase's load bounds: `commands` requests or `seconds`, whichever comes first. */
const bounds = (ctx) => ({ concurrency: ctx.concurrency, count: ctx.commands, seconds: ctx.seconds });

export const SCENARIOS = [
  { key: "many", title: `many aggregates: add-item`, run: manyAggregates },
  { key: "hot", title: "one hot aggregate: add-item", run: hotAggregate },
  { key: "new", title: "new aggregates: place (creates the object)", run: newAggregates },
  { key: "writeRead", title: "write→read at low load: add-item, then GET ?consistentWith", run: writeThenRead },
];

/** Commands spread round-robin over `aggregates` orders placed beforehand. */
async function manyAggregates(client, ctx) {
  const ids = Array.from({ length: ctx.aggregates }, (_, i) => `${ctx.prefix}-m${i}`);
  await placeAll(client, ctx, ids);
  const latest = new Map();
  const load = await closedLoop(bounds(ctx), async (i) => {
    const id = ids[i % ids.length];
    const result = await client.call("POST", commandPath(id, "add-item"), { body: addItem(i) });
    if (result.ok) latest.set(id, result.body.token);
    return result;
  });
  return { ...load, drainMs: await drain(client, [...latest.values()]) };
}

/** Every client on the same order: one object's serial throughput. */
async function hotAggregate(client, ctx) {
  const id = `${ctx.prefix}-hot`;
  await placeAll(client, ctx, [id]);
  let token = "";
  const load = await closedLoop(bounds(ctx), async (i) => {
    const result = await client.call("POST", commandPath(id, "add-item"), { body: addItem(i) });
    if (result.ok) token = result.body.token;
    return result;
  });
  return { ...load, drainMs: await drain(client, token ? [token] : []) };
}

/** A new order per command: the first command creates the object and its SQLite database. */
export async function newAggregates(client, ctx) {
  const tokens = [];
  const load = await closedLoop(bounds(ctx), async (i) => {
    const result = await client.call("POST", commandPath(`${ctx.prefix}-n${i}`, "place"), { body: placeOrder });
    if (result.ok) tokens.push(result.body.token);
    return result;
  });
  const drainMs = await drain(client, tokens);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_AFTER_NEW_MS));
  return { ...load, drainMs };
}

/**
 * One client, one command at a time: add-item, then the view with the command's token, which
 * must show the command's version. `total` is command sent → view shows it; `read` is the view alone.
 */
async function writeThenRead(client, ctx) {
  const ids = Array.from({ length: WRITE_READ_ORDERS }, (_, i) => `${ctx.prefix}-rw${i}`);
  await placeAll(client, ctx, ids);
  const total = [];
  const read = [];
  let errors = 0;
  const deadline = performance.now() + ctx.seconds * 1_000;
  for (let i = 0; i < ctx.iterations && performance.now() < deadline; i++) {
    const id = ids[i % ids.length];
    const t0 = performance.now();
    const command = await client.call("POST", commandPath(id, "add-item"), { body: addItem(i) });
    const t1 = performance.now();
    if (!command.ok) {
      errors++;
      continue;
    }
    const view = await client.call("GET", `/orders/${id}?consistentWith=${command.body.token}&wait=5000`);
    const t2 = performance.now();
    if (view.status !== 200 || view.body.version < command.body.version) {
      errors++;
      continue;
    }
    total.push(t2 - t0);
    read.push(t2 - t1);
  }
  return { errors, total: percentiles(total), read: percentiles(read) };
}

/** Places the orders a phase works on (not measured) and waits until their views exist. */
async function placeAll(client, ctx, ids) {
  const tokens = [];
  const placed = await closedLoop({ concurrency: ctx.concurrency, count: ids.length, seconds: SETUP_SECONDS }, async (i) => {
    const result = await client.call("POST", commandPath(ids[i], "place"), { body: placeOrder });
    if (result.ok) tokens.push(result.body.token);
    return result;
  });
  if (placed.ok !== ids.length) throw new Error(`set-up: placed ${placed.ok} of ${ids.length} orders; first failure ${placed.firstError}`);
  if (Number.isNaN(await drain(client, tokens))) throw new Error("set-up: the views of the placed orders did not appear");
}

/** A few commands and reads on each system before anything is measured, so both start warm. */
export async function warmUp(client, prefix) {
  const ctx = { concurrency: 4, commands: 40, seconds: 10, aggregates: 8, iterations: 10, prefix: `${prefix}-warm` };
  await manyAggregates(client, ctx);
  await writeThenRead(client, ctx);
}
