import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SPARSE_SNAPSHOT_INTERVALS, useQueueSender } from "../../../../src/runtime/aggregate-object";
import { ACCOUNT_SNAPSHOT_EVERY } from "../../fixture/domain/account";
import { command, json, objectOf, readStream } from "../../../support/http";

// Snapshots every N events (the fixture's account: every 10) so waking costs at most N events of
// folding, whatever the stream's length; a snapshot stored under another state schema is
// ignored, never misread. Every length below is a multiple of N, as the default's 100 would be.

const N = ACCOUNT_SNAPSHOT_EVERY;

/** Opens `account/<id>` and deposits 1 cent per command until the stream is at `length`. */
async function buildStream(id: string, length: number): Promise<void> {
  const stub = objectOf("account", id);
  await quiet(id);
  const run = (command: string, payload: unknown, n: number) => stub.execute({ aggregate: "account", id, command, payload, commandId: `${id}-${n}` });
  expect((await run("open", { owner: "c-1" }, 1)).ok).toBe(true);
  for (let next = 2; next <= length; next += 50) {
    const batch = Array.from({ length: Math.min(50, length - next + 1) }, (_, i) => run("deposit", { amount: 1 }, next + i));
    const outcomes = await Promise.all(batch);
    expect(outcomes.every((o) => o.ok)).toBe(true);
  }
  expect(await runInDurableObject(stub, (instance) => instance.store.events.version())).toBe(length);
}

/** The state after `version` events of {@link buildStream}: one deposit of 1 per event after the opening. */
const stateAt = (version: number) => ({ status: "open", owner: "c-1", balance: version - 1, deposits: version - 1 });

/**
 * The queues are not under test here: a no-op producer keeps the fan-outs (and projectors
 * healing gaps in the background while the file's storage is torn down) out of the way. An
 * instance installs it; after an eviction the next instance needs it again.
 */
const quiet = (id: string) => runInDurableObject(objectOf("account", id), (instance) => instance[useQueueSender](async () => {}));

const foldOf = (id: string) => runInDurableObject(objectOf("account", id), (instance) => instance.lastFold);

const wakeOf = (id: string) => runInDurableObject(objectOf("account", id), (instance) => instance.lastWake);

async function snapshotVersions(id: string): Promise<number[]> {
  return runInDurableObject(objectOf("account", id), (_instance, state) =>
    state.storage.sql.exec<{ version: number }>("SELECT version FROM snapshots ORDER BY version").toArray().map((r) => r.version),
  );
}

describe("snapshots", () => {
  it("a stream of 10 N events wakes from its snapshot at 10 N, folding nothing", async () => {
    await buildStream("snap-1", 10 * N);
    // The newest two, and the oldest of every 10 N versions.
    expect(await snapshotVersions("snap-1")).toEqual([N, 9 * N, 10 * N]);

    const stub = objectOf("account", "snap-1");
    await evictDurableObject(stub);
    expect((await readStream("account", "snap-1", { from: 10 * N })).body.version).toBe(10 * N);

    const wake = await wakeOf("snap-1");
    expect(wake).toMatchObject({ snapshotVersion: 10 * N, eventsFolded: 0 });
    expect(wake!.rowsRead).toBeLessThanOrEqual(N);

    await quiet("snap-1");
    const next = await command("account", "snap-1", "deposit", { amount: 5 });
    expect(next.status).toBe(200);
    expect((await json(next)).version).toBe(10 * N + 1);
    const { body } = await readStream("account", "snap-1", { from: 10 * N + 1, asOf: 10 * N + 1 });
    expect(body.state.value).toEqual({ status: "open", owner: "c-1", balance: 10 * N - 1 + 5, deposits: 10 * N });
  });

  it("a stream between snapshots folds only the events after the newest one", async () => {
    await buildStream("snap-2", 2.5 * N);
    await evictDurableObject(objectOf("account", "snap-2"));
    const { body } = await readStream("account", "snap-2", { from: 2.5 * N, asOf: 2.5 * N });
    expect(body.state.value).toEqual(stateAt(2.5 * N));
    const wake = await wakeOf("snap-2");
    expect(wake).toMatchObject({ snapshotVersion: 2 * N, eventsFolded: 0.5 * N });
    expect(wake!.rowsRead).toBeLessThanOrEqual(N);
  });

  it("asOf an older version is folded correctly from an older snapshot or from the start", async () => {
    await buildStream("snap-3", 2.3 * N);
    for (const asOf of [1, N - 1, N, 1.5 * N, 2 * N, 2.3 * N - 1]) {
      const { body } = await readStream("account", "snap-3", { limit: 1, asOf });
      expect(body.state).toEqual({ version: asOf, value: stateAt(asOf) });
    }
  });

  it("ignores a snapshot stored under another state schema and folds from the start", async () => {
    await buildStream("snap-4", 2.5 * N);
    const stub = objectOf("account", "snap-4");
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE snapshots SET state_schema = 'v0-oldshape', state = '{\"status\":\"closed\"}'");
    });
    await evictDurableObject(stub);

    const { body } = await readStream("account", "snap-4", { from: 2.5 * N, asOf: 2.5 * N });
    expect(body.state.value).toEqual(stateAt(2.5 * N));
    expect(await wakeOf("snap-4")).toMatchObject({ snapshotVersion: 0, eventsFolded: 2.5 * N });

    await quiet("snap-4");
    const next = await command("account", "snap-4", "deposit", { amount: 1 });
    expect(next.status).toBe(200);
    expect((await json(next)).version).toBe(2.5 * N + 1);
  });

  it("keeps older snapshots sparsely, so an old asOf folds a bounded number of events", async () => {
    const bound = N * SPARSE_SNAPSHOT_INTERVALS;
    await buildStream("snap-5", 12 * N);
    expect(await snapshotVersions("snap-5")).toEqual([N, 10 * N, 11 * N, 12 * N]);
    for (const asOf of [0.5 * N, 10 * N - 1, 10.5 * N, 11.5 * N]) {
      const { body } = await readStream("account", "snap-5", { limit: 1, asOf });
      expect(body.state.value).toEqual(stateAt(asOf));
      const fold = await foldOf("snap-5");
      expect(fold!.eventsFolded).toBeLessThanOrEqual(bound);
      expect(fold!.rowsRead).toBeLessThanOrEqual(bound + 1);
    }
    expect(await foldOf("snap-5")).toMatchObject({ snapshotVersion: 11 * N, eventsFolded: 0.5 * N });
  });
});
