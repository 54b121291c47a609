import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { EventStore, type StoredEvent } from "../../../../src/runtime/event-store";
import { objectOf } from "../../../support/http";

// The four stores an aggregate object keeps in its one SQLite database, each on its own, against
// the real storage of a fresh object (one whose stream was never written, so its tables are ours).

const event = (version: number, type = "Deposited"): StoredEvent => ({
  version,
  eventId: `e-${version}`,
  type,
  schemaVersion: 1,
  data: { amount: version * 10 },
  metadata: { commandId: `c-${version}`, correlationId: "k", causationId: `c-${version}`, recordedAt: "2026-01-01T00:00:00.000Z" },
  recordedAt: "2026-01-01T00:00:00.000Z",
});

/** Runs `work` with an EventStore over a fresh object's storage, each part inside its transactions as the object does. */
function withStore<T>(id: string, work: (store: EventStore, transaction: (w: () => void) => void) => T): Promise<T> {
  return runInDurableObject(objectOf("account", id), (_instance, state) => {
    const transaction = (w: () => void) => state.storage.transactionSync(w);
    return work(new EventStore(state.storage.sql, transaction), transaction);
  });
}

describe("EventLog", () => {
  it("reads an empty stream without creating anything, then appends in order and reads ranges", async () => {
    const result = await withStore("es-log-1", (store, transaction) => {
      const before = { empty: store.isEmpty(), version: store.events.version(), streamId: store.events.streamId(), events: store.events.eventsAfter(0) };
      transaction(() => store.events.append("account/es-log-1", Array.from({ length: 50 }, (_, i) => event(i + 1))));
      const middle = store.events.eventsAfter(20, 22).map((e) => e.version);
      const middleRowsRead = store.events.rowsRead;
      return {
        before,
        empty: store.isEmpty(),
        streamId: store.events.streamId(),
        version: store.events.version(),
        middle,
        middleRowsRead,
        limited: store.events.eventsAfter(0, undefined, 2).map((e) => e.version),
        first: store.events.eventsAfter(0, 1)[0],
      };
    });
    expect(result.before).toEqual({ empty: true, version: 0, streamId: undefined, events: [] });
    expect(result).toMatchObject({ empty: false, streamId: "account/es-log-1", version: 50, middle: [21, 22], limited: [1, 2] });
    // A range is read by the primary key: what SQLite reads grows with the range, not the stream.
    expect(result.middleRowsRead).toBeLessThanOrEqual(3);
    expect(result.first).toEqual(event(1));
  });

  it("forgets a head and a schema that a rolled-back first append created", async () => {
    const result = await withStore("es-log-2", (store, transaction) => {
      expect(() =>
        transaction(() => {
          store.events.append("account/es-log-2", [event(1)]);
          throw new Error("the command's record failed");
        }),
      ).toThrow("record failed");
      store.recheck();
      return { empty: store.isEmpty(), version: store.events.version() };
    });
    expect(result).toEqual({ empty: true, version: 0 });
  });
});

describe("CommandLog", () => {
  it("finds a recorded answer, knows the oldest, and prunes only what is older than the cutoff, at most a limit", async () => {
    const result = await withStore("es-cmd-1", (store, transaction) => {
      const missing = store.commands.find("c-1");
      transaction(() => {
        store.commands.record("c-1", { requestHash: "h1", response: "{}" }, "2026-01-01T00:00:00.000Z");
        store.commands.record("c-2", { requestHash: "h2", response: "{}" }, "2026-01-02T00:00:00.000Z");
        store.commands.record("c-3", { requestHash: "h3", response: "{}" }, "2026-01-03T00:00:00.000Z");
      });
      const oldest = store.commands.oldestAt();
      const pruned = store.commands.prune("2026-01-03T00:00:00.000Z", 1);
      return { missing, found: store.commands.find("c-2"), oldest, pruned, after: store.commands.oldestAt(), gone: store.commands.find("c-1") };
    });
    expect(result).toEqual({
      missing: undefined,
      found: { requestHash: "h2", response: "{}" },
      oldest: "2026-01-01T00:00:00.000Z",
      pruned: 1,
      after: "2026-01-02T00:00:00.000Z",
      gone: undefined,
    });
  });
});

describe("SnapshotStore", () => {
  it("answers the newest snapshot of the current state schema at or below a version, and thins the rest", async () => {
    const result = await withStore("es-snap-1", (store, transaction) => {
      transaction(() => store.events.append("account/es-snap-1", [event(1)]));
      for (const version of [10, 20, 30, 40, 50]) store.snapshots.save(version, { balance: version }, "v1", 20);
      const kept = [50, 45, 39, 25, 19, 9].map((atMost) => store.snapshots.latest("v1", atMost)?.version);
      store.snapshots.save(60, { balance: 60 }, "v2", 20);
      return { kept, otherSchema: store.snapshots.latest("v1"), current: store.snapshots.latest("v2") };
    });
    // The newest two (40, 50), plus the oldest of every run of 20 versions (10, 20, 40).
    expect(result.kept).toEqual([50, 40, 20, 20, 10, undefined]);
    expect(result.otherSchema).toBeUndefined();
    expect(result.current).toEqual({ version: 60, state: { balance: 60 } });
  });
});

describe("OutboxState", () => {
  it("keeps each queue's cursor, never moving it back, and parks an event past it", async () => {
    const result = await withStore("es-out-1", (store, transaction) => {
      const empty = { cursors: store.outbox.cursors(), cursor: store.outbox.cursor("q1") };
      transaction(() => store.events.append("account/es-out-1", [event(1), event(2), event(3)]));
      store.outbox.saveCursors([
        ["q1", { version: 2, attempts: 0 }],
        ["q2", { version: 1, attempts: 2 }],
      ]);
      store.outbox.saveCursor("q1", { version: 1, attempts: 1 });
      const afterSave = { q1: store.outbox.cursor("q1"), q1Attempts: store.outbox.attempts("q1"), q2: store.outbox.cursor("q2") };
      store.outbox.park({ queue: "q2", version: 2, error: "too large", attempts: 30, parkedAt: "2026-01-01T00:00:00.000Z" });
      const parked = { cursor: store.outbox.cursor("q2"), attempts: store.outbox.attempts("q2"), list: store.outbox.parked("q2"), unreported: store.outbox.unreported(10) };
      store.outbox.markReported("q2", 2);
      return { empty, afterSave, parked, unreportedAfter: store.outbox.unreported(10), stillParked: store.outbox.parked("q2").length };
    });
    expect(result.empty).toEqual({ cursors: new Map(), cursor: 0 });
    expect(result.afterSave).toEqual({ q1: 2, q1Attempts: 1, q2: 1 });
    const parked = { queue: "q2", version: 2, error: "too large", attempts: 30, parkedAt: "2026-01-01T00:00:00.000Z" };
    expect(result.parked).toEqual({ cursor: 2, attempts: 0, list: [parked], unreported: [parked] });
    expect(result.unreportedAfter).toEqual([]);
    expect(result.stillParked).toBe(1);
  });
});
