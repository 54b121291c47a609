import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SPARSE_SNAPSHOT_INTERVALS, useQueueSender } from "../../src/runtime/aggregate-object";
import { command, json, objectOf, readStream } from "../support/http";

// DESIGN §2: snapshots every N events (100 by default) so waking costs at most N events of
// folding, whatever the stream's length; a snapshot stored under another state schema is
// ignored, never misread.

const TEA = { sku: "tea", unitPrice: 450 };

/** Places `order/<id>` with 1 tea and adds 1 tea per command until the stream is at `length`. */
async function buildStream(id: string, length: number): Promise<void> {
  const stub = objectOf("order", id);
  await quiet(id);
  const run = (command: string, payload: unknown, n: number) =>
    stub.execute({ aggregate: "order", id, command, payload, commandId: `${id}-${n}` });
  expect((await run("place", { customerId: "c-1", items: [{ ...TEA, quantity: 1 }] }, 1)).ok).toBe(true);
  for (let next = 2; next <= length; next += 50) {
    const batch = Array.from({ length: Math.min(50, length - next + 1) }, (_, i) => run("add-item", { ...TEA, quantity: 1 }, next + i));
    const outcomes = await Promise.all(batch);
    expect(outcomes.every((o) => o.ok)).toBe(true);
  }
  expect(await runInDurableObject(stub, (instance) => instance.store.version())).toBe(length);
}

/**
 * The queues are not under test here: a no-op producer keeps 1,000 fan-outs (and projectors
 * healing gaps in the background while the file's storage is torn down) out of the way. An
 * instance installs it; after an eviction the next instance needs it again.
 */
const quiet = (id: string) => runInDurableObject(objectOf("order", id), (instance) => instance[useQueueSender](async () => {}));

const foldOf = (id: string) => runInDurableObject(objectOf("order", id), (instance) => instance.lastFold);

const wakeOf = (id: string) => runInDurableObject(objectOf("order", id), (instance) => instance.lastWake);

async function snapshotVersions(id: string): Promise<number[]> {
  return runInDurableObject(objectOf("order", id), (_instance, state) =>
    state.storage.sql.exec<{ version: number }>("SELECT version FROM snapshots ORDER BY version").toArray().map((r) => r.version),
  );
}

describe("snapshots", () => {
  it("a 1,000-event stream wakes from its snapshot at 1,000, folding nothing", async () => {
    await buildStream("snap-1", 1000);
    // The newest two, and the oldest of every 1,000 versions.
    expect(await snapshotVersions("snap-1")).toEqual([100, 900, 1000]);

    const stub = objectOf("order", "snap-1");
    await evictDurableObject(stub);
    expect((await readStream("order", "snap-1", { from: 1000 })).body.version).toBe(1000);

    const wake = await wakeOf("snap-1");
    expect(wake).toMatchObject({ snapshotVersion: 1000, eventsFolded: 0 });
    expect(wake!.rowsRead).toBeLessThanOrEqual(100);

    await quiet("snap-1");
    const next = await command("order", "snap-1", "add-item", { ...TEA, quantity: 5 });
    expect(next.status).toBe(200);
    expect((await json(next)).version).toBe(1001);
    const { body } = await readStream("order", "snap-1", { from: 1001, asOf: 1001 });
    expect(body.state.value).toEqual({ status: "placed", customerId: "c-1", items: [{ ...TEA, quantity: 1005 }] });
  });

  it("a stream between snapshots folds only the events after the newest one", async () => {
    await buildStream("snap-2", 250);
    await evictDurableObject(objectOf("order", "snap-2"));
    const { body } = await readStream("order", "snap-2", { from: 250, asOf: 250 });
    expect(body.state.value.items).toEqual([{ ...TEA, quantity: 250 }]);
    const wake = await wakeOf("snap-2");
    expect(wake).toMatchObject({ snapshotVersion: 200, eventsFolded: 50 });
    expect(wake!.rowsRead).toBeLessThanOrEqual(100);
  });

  it("asOf an older version is folded correctly from an older snapshot or from the start", async () => {
    await buildStream("snap-3", 230);
    for (const asOf of [1, 99, 100, 150, 200, 229]) {
      const { body } = await readStream("order", "snap-3", { limit: 1, asOf });
      expect(body.state).toEqual({ version: asOf, value: { status: "placed", customerId: "c-1", items: [{ ...TEA, quantity: asOf }] } });
    }
  });

  it("ignores a snapshot stored under another state schema and folds from the start", async () => {
    await buildStream("snap-4", 250);
    const stub = objectOf("order", "snap-4");
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE snapshots SET state_schema = 'v0-oldshape', state = '{\"status\":\"cancelled\"}'");
    });
    await evictDurableObject(stub);

    const { body } = await readStream("order", "snap-4", { from: 250, asOf: 250 });
    expect(body.state.value).toEqual({ status: "placed", customerId: "c-1", items: [{ ...TEA, quantity: 250 }] });
    expect(await wakeOf("snap-4")).toMatchObject({ snapshotVersion: 0, eventsFolded: 250 });

    await quiet("snap-4");
    const next = await command("order", "snap-4", "add-item", { ...TEA, quantity: 1 });
    expect(next.status).toBe(200);
    expect((await json(next)).version).toBe(251);
  });

  it("keeps older snapshots sparsely, so an old asOf folds a bounded number of events", async () => {
    const bound = 100 * SPARSE_SNAPSHOT_INTERVALS;
    await buildStream("snap-5", 1200);
    expect(await snapshotVersions("snap-5")).toEqual([100, 1000, 1100, 1200]);
    for (const asOf of [50, 999, 1050, 1150]) {
      const { body } = await readStream("order", "snap-5", { limit: 1, asOf });
      expect(body.state.value.items).toEqual([{ ...TEA, quantity: asOf }]);
      const fold = await foldOf("snap-5");
      expect(fold!.eventsFolded).toBeLessThanOrEqual(bound);
      expect(fold!.rowsRead).toBeLessThanOrEqual(bound + 1);
    }
    expect(await foldOf("snap-5")).toMatchObject({ snapshotVersion: 1100, eventsFolded: 50 });
  });
});
