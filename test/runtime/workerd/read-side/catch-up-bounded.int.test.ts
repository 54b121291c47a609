import { runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { EventEnvelope } from "../../../../src/runtime/envelope";
import { MAX_EVENTS_HEALED_PER_INVOCATION, MAX_EVENTS_HEALED_PER_STREAM } from "../../../../src/runtime/projector";
import { BALANCES, openAccount } from "../../fixture/support";
import { deliver } from "../../fixture/support/delivery";
import type { FixtureEnv } from "../../fixture/env";
import { fixtureEnv } from "../../fixture/support/worker";
import { runCommand } from "../../../support/api-client";
import { aggregateStub, CapturedEvents } from "../../../support/captured-events";
import { adminGet, json } from "../../../support/http";
import { rows } from "../../../support/read-model";
import { watchD1 } from "../../../support/watched-d1";

// A stream that reaches a projection for the first time with a long history (a new projection,
// a stream whose messages were parked) is caught up a bounded number of events per invocation:
// each invocation reads at most MAX_EVENTS_HEALED_PER_STREAM events from the aggregate, commits
// them, and sends the stream's newest message back to the queue for the rest, as a new message
// that does not count as a failed attempt.
const STREAM = "account/huge";
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
 * Delivers `bodies` to balances with the real bindings, watched: the aggregate namespace counts
 * the events it hands out, READ_DB counts round trips, and the balances producer keeps what the
 * consumer sends back so the test can deliver it next, as the queue would.
 */
// One watched READ_DB for every invocation, as an isolate keeps one binding object: what the
// runtime checks once per isolate (a projection's state) is then counted once, as in production.
let d1RoundTrips = 0;
const watchedReadDb = watchD1(fixtureEnv.READ_DB, () => d1RoundTrips++);

async function invoke(...bodies: unknown[]): Promise<Invocation> {
  let eventsRead = 0;
  d1RoundTrips = 0;
  const requeued: unknown[] = [];
  const namespace = fixtureEnv.AGGREGATES;
  const aggregates = {
    idFromName: (name: string) => namespace.idFromName(name),
    get: (id: DurableObjectId) => {
      const stub = namespace.get(id) as unknown as { execute(request: never): Promise<unknown>; readStream(request: never): Promise<unknown> };
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
    ...fixtureEnv,
    AGGREGATES: aggregates as unknown as FixtureEnv["AGGREGATES"],
    BALANCES_QUEUE: producer as unknown as Queue,
    READ_DB: watchedReadDb,
  };
  const { acked, retried, ids } = await deliver(BALANCES, bodies, 1, watched);
  return { acked, retried, ids, eventsRead, d1RoundTrips, requeued };
}

/**
 * Opens the account and writes the rest of its history straight into the object's SQLite (9,999
 * more commands over HTTP would take a minute): the same rows `deposit` appends (a `Deposited` of
 * 1 cent at schema version 2). Returns the newest envelope, as the object serves it.
 */
async function seedStream(captured: CapturedEvents, streamId: string, events: number): Promise<EventEnvelope> {
  await captured.install(streamId);
  await runCommand(`${streamId}/open`, openAccount("c-huge"));
  await runInDurableObject(aggregateStub(streamId), (_instance, state: DurableObjectState) => {
    state.storage.sql.exec(
      `WITH RECURSIVE n(v) AS (SELECT 2 UNION ALL SELECT v + 1 FROM n WHERE v < ?)
       INSERT INTO events (version, event_id, type, schema_version, data, metadata, recorded_at)
       SELECT v, 'seeded-' || v, 'Deposited', 2, '{"amount":1,"memo":null}',
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
  (await rows<{ version: number }>("SELECT version FROM projection_checkpoints WHERE projection = 'balances' AND stream_id = ?", streamId))[0]?.version ?? 0;

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
    // D1 work per invocation is bounded too: a few reads plus one transaction per 100 events; the
    // isolate's first invocation also checks, once, the runtime's tables and the projection's state.
    const [first, ...later] = invocations.map((i) => i.d1RoundTrips);
    expect(Math.max(...later)).toBeLessThanOrEqual(MAX_EVENTS_HEALED_PER_STREAM / 100 + 5);
    expect(first).toBeLessThanOrEqual(MAX_EVENTS_HEALED_PER_STREAM / 100 + 5 + 4);
  });

  it("ends with the view complete and correct, each event applied once", async () => {
    // One cent per event after the opening.
    const [view] = await rows<{ version: number; status: string; balance: number }>("SELECT version, status, balance FROM fixture_balances WHERE id = 'huge'");
    expect(view).toEqual({ version: EVENTS, status: "open", balance: EVENTS - 1 });
    // A late duplicate of the first message changes nothing.
    const again = await invoke(captured.streamSentTo(BALANCES, STREAM)[0]);
    expect(again.acked).toEqual(again.ids);
    expect(again.eventsRead).toBe(0);
    expect(await rows("SELECT version, balance FROM fixture_balances WHERE id = 'huge'")).toEqual([{ version: EVENTS, balance: EVENTS - 1 }]);
  });
});

describe("several long streams in one batch", () => {
  const captured = new CapturedEvents();
  const STREAMS = Array.from({ length: 5 }, (_, i) => `account/long-${i}`);
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
    const balances = await rows<{ id: string; balance: number; version: number }>("SELECT id, balance, version FROM fixture_balances WHERE id LIKE 'long-%' ORDER BY id");
    expect(balances).toEqual(STREAMS.map((id) => ({ id: id.slice("account/".length), balance: LENGTH - 1, version: LENGTH })));
  });
});
