import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { EventEnvelope } from "../../src/runtime/envelope";
import { MAX_EVENTS_HEALED_PER_INVOCATION, MAX_EVENTS_HEALED_PER_STREAM } from "../../src/runtime/projector";
import { runCommand } from "../support/api-client";
import { aggregateStub, CapturedEvents } from "../support/captured-events";
import { adminGet, json } from "../support/http";
import { ORDER_DETAILS } from "../support/queue-delivery";
import { rows } from "../support/read-model";
import { deliverWithEnv } from "./deliver-with-env";
import { watchD1 } from "../support/watched-d1";

// A stream that reaches a projection for the first time with a long history (a new projection,
// a stream whose messages were parked) is caught up a bounded number of events per invocation:
// each invocation reads at most MAX_EVENTS_HEALED_PER_STREAM events from the aggregate, commits
// them, and sends the stream's newest message back to the queue for the rest, as a new message
// that does not count as a failed attempt.
const STREAM = "order/huge";
const EVENTS = 10_000;

/** What one invocation of the consumer did, seen through the bindings it was given. */
interface Invocation {
  readonly acked: string[];
  readonly retried: string[];
  readonly ids: string[];
  /** Events the aggregate object returned to the projector's reads. */
  readonly eventsRead: number;
  readonly d1RoundTrips: number;
  /** What the consumer sent back to its own queue. */
  readonly requeued: unknown[];
}

/**
 * Delivers `body` to order-details with the real bindings, watched: the aggregate namespace counts
 * the events it hands out, READ_DB counts round trips, and the order-details producer keeps what
 * the consumer sends back so the test can deliver it next, as the queue would.
 */
async function invoke(...bodies: unknown[]): Promise<Invocation> {
  let eventsRead = 0;
  let d1RoundTrips = 0;
  const requeued: unknown[] = [];
  const namespace = env.AGGREGATES;
  const aggregates = {
    idFromName: (name: string) => namespace.idFromName(name),
    get: (id: DurableObjectId) => {
      const stub = namespace.get(id);
      return {
        execute: (request: never) => stub.execute(request),
        readStream: async (request: never) => {
          const page = (await stub.readStream(request)) as { events: unknown[] } | null;
          eventsRead += page?.events.length ?? 0;
          return page;
        },
      };
    },
  };
  const producer = {
    send: async (message: unknown) => void requeued.push(message),
    sendBatch: async (messages: Iterable<{ body: unknown }>) => void requeued.push(...[...messages].map((m) => m.body)),
  };
  const watched = {
    ...env,
    AGGREGATES: aggregates as unknown as typeof env.AGGREGATES,
    ORDER_DETAILS_QUEUE: producer as unknown as typeof env.ORDER_DETAILS_QUEUE,
    READ_DB: watchD1(env.READ_DB, () => d1RoundTrips++),
  };
  const { acked, retried, ids } = await deliverWithEnv(watched, ORDER_DETAILS, bodies);
  return { acked, retried, ids, eventsRead, d1RoundTrips, requeued };
}

/**
 * Places the order and writes the rest of its history straight into the object's SQLite (9,999
 * more commands over HTTP would take a minute): the same rows `add-item` appends (ItemAdded at
 * schema version 2). Returns the newest envelope, as the object serves it.
 */
async function seedStream(captured: CapturedEvents, streamId: string, events: number): Promise<EventEnvelope> {
  await captured.install(streamId);
  await runCommand(`${streamId}/place`, { customerId: "c-huge", items: [{ sku: "tea", quantity: 1, unitPrice: 100 }] });
  await runInDurableObject(aggregateStub(streamId), (_instance, state: DurableObjectState) => {
    state.storage.sql.exec(
      `WITH RECURSIVE n(v) AS (SELECT 2 UNION ALL SELECT v + 1 FROM n WHERE v < ?)
       INSERT INTO events (version, event_id, type, schema_version, data, metadata, recorded_at)
       SELECT v, 'seeded-' || v, 'ItemAdded', 2, '{"sku":"tea","quantity":1,"unitPrice":100}',
              (SELECT metadata FROM events WHERE version = 1), (SELECT recorded_at FROM events WHERE version = 1)
       FROM n`,
      events,
    );
  });
  const page = await json<{ events: EventEnvelope[] }>(await adminGet(`/streams/${streamId}?from=${events}`));
  const [newest] = page.events as [EventEnvelope];
  expect(newest.version).toBe(events);
  return newest;
}

const checkpointOf = async (streamId: string): Promise<number> =>
  (await rows<{ version: number }>("SELECT version FROM projection_checkpoints WHERE projection = 'order-details' AND stream_id = ?", streamId))[0]?.version ?? 0;

describe(`catching up a stream of ${EVENTS} events`, () => {
  const captured = new CapturedEvents();
  let newest: EventEnvelope;

  beforeAll(async () => {
    newest = await seedStream(captured, STREAM, EVENTS);
  });

  it("reads a bounded number of events per invocation, commits them, and comes back for the rest", async () => {
    const invocations: Invocation[] = [];
    // Only the newest message arrives: every earlier version is read from the aggregate.
    for (let body: unknown = newest; body !== undefined; ) {
      const invocation = await invoke(body);
      invocations.push(invocation);
      // Each step is acked, never retried: the rest of the catch-up costs no attempts.
      expect(invocation.acked).toEqual(invocation.ids);
      expect(invocation.retried).toEqual([]);
      expect(invocation.eventsRead).toBeLessThanOrEqual(MAX_EVENTS_HEALED_PER_STREAM);
      expect(invocation.requeued.length).toBeLessThanOrEqual(1);
      expect(await checkpointOf(STREAM)).toBe(Math.min(EVENTS, invocations.length * MAX_EVENTS_HEALED_PER_STREAM));
      body = invocation.requeued[0];
    }
    // The message's own version is not contiguous with the checkpoint until the end: it is read too.
    expect(invocations).toHaveLength(Math.ceil(EVENTS / MAX_EVENTS_HEALED_PER_STREAM));
    expect(invocations.reduce((n, i) => n + i.eventsRead, 0)).toBe(EVENTS);
    // D1 work per invocation is bounded too: a few reads plus one transaction per 100 events.
    const mostRoundTrips = Math.max(...invocations.map((i) => i.d1RoundTrips));
    expect(mostRoundTrips).toBeLessThanOrEqual(MAX_EVENTS_HEALED_PER_STREAM / 100 + 5);
  });

  it("ends with the view complete and correct, each event applied once", async () => {
    const [view] = await rows<{ version: number; status: string }>("SELECT version, status FROM order_details WHERE id = 'huge'");
    expect(view).toEqual({ version: EVENTS, status: "placed" });
    const items = await rows<{ sku: string; quantity: number }>("SELECT sku, quantity FROM order_details_items WHERE order_id = 'huge'");
    expect(items).toEqual([{ sku: "tea", quantity: EVENTS }]);
    // A late duplicate of the first message changes nothing.
    const again = await invoke(captured.streamSentTo(ORDER_DETAILS, STREAM)[0]);
    expect(again.acked).toEqual(again.ids);
    expect(again.eventsRead).toBe(0);
    expect(await rows("SELECT quantity FROM order_details_items WHERE order_id = 'huge'")).toEqual([{ quantity: EVENTS }]);
  });
});

describe("several long streams in one batch", () => {
  const captured = new CapturedEvents();
  const STREAMS = Array.from({ length: 5 }, (_, i) => `order/long-${i}`);
  const LENGTH = 600;
  const newest = new Map<string, EventEnvelope>();

  beforeAll(async () => {
    for (const streamId of STREAMS) newest.set(streamId, await seedStream(captured, streamId, LENGTH));
  });

  it("share the invocation's read budget; streams past it wait for the next invocation", async () => {
    const first = await invoke(...STREAMS.map((id) => newest.get(id)));
    expect(first.acked).toEqual(first.ids);
    expect(first.eventsRead).toBe(MAX_EVENTS_HEALED_PER_INVOCATION);
    const checkpoints = await Promise.all(STREAMS.map(checkpointOf));
    expect(checkpoints.reduce((a, b) => a + b, 0)).toBe(MAX_EVENTS_HEALED_PER_INVOCATION);
    expect(Math.max(...checkpoints)).toBeLessThanOrEqual(MAX_EVENTS_HEALED_PER_STREAM);
    // Every stream not caught up comes back as one new message.
    expect(first.requeued).toHaveLength(STREAMS.length);

    for (let next = first.requeued; next.length > 0; ) {
      const step = await invoke(...next);
      expect(step.acked).toEqual(step.ids);
      expect(step.eventsRead).toBeLessThanOrEqual(MAX_EVENTS_HEALED_PER_INVOCATION);
      next = step.requeued;
    }
    expect(await Promise.all(STREAMS.map(checkpointOf))).toEqual(STREAMS.map(() => LENGTH));
    const items = await rows<{ order_id: string; quantity: number }>("SELECT order_id, quantity FROM order_details_items WHERE order_id LIKE 'long-%' ORDER BY order_id");
    expect(items).toEqual(STREAMS.map((id) => ({ order_id: id.slice("order/".length), quantity: LENGTH })));
  });
});
