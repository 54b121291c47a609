import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { requestHash } from "../../../../src/runtime/aggregate-object";
import { STORE_MIGRATIONS, STORE_SCHEMA_VERSION } from "../../../../src/runtime/event-store";
import { openAccount } from "../../fixture/support";
import { command, json, objectOf, readStream } from "../../../support/http";

// The object's SQLite storage: created by the first append and never before, and versioned, so
// an object written by an older release wakes, migrates itself and keeps its stream.

/** The tables a database holds (the platform's `_cf_` tables aside), read without creating any. */
const tableNames = (sql: SqlStorage): string[] =>
  sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name")
    .toArray()
    .map((r) => r.name);

const tablesOf = (id: string): Promise<string[]> => runInDurableObject(objectOf("account", id), (_instance, state) => tableNames(state.storage.sql));

describe("storage is created by the first append", () => {
  it("leaves no tables behind after reads, an invalid command, a rejected one and a version conflict", async () => {
    const id = "ghost-1";
    expect((await readStream("account", id)).status).toBe(404);
    expect((await readStream("account", id, { asOf: 3 })).status).toBe(404);
    expect((await command("account", id, "open", { owner: "" })).status).toBe(400);
    expect(await json(await command("account", id, "deposit", { amount: 1 }))).toMatchObject({ error: "rejected", reason: "account_not_open" });
    expect((await command("account", id, "open", openAccount(), { "If-Match": "3" })).status).toBe(409);
    expect(await tablesOf(id)).toEqual([]);

    expect((await command("account", id, "open", openAccount())).status).toBe(200);
    expect(await tablesOf(id)).toEqual(["commands", "events", "outbox_cursors", "outbox_parked", "snapshots", "store_schema", "stream"]);
  });
});

// The layout of the first release, which carried no schema version.
const FIRST_RELEASE_SCHEMA = `
CREATE TABLE IF NOT EXISTS stream (id INTEGER PRIMARY KEY CHECK (id = 1), stream_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  version INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
  schema_version INTEGER NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS commands (
  command_id TEXT PRIMARY KEY, request_hash TEXT NOT NULL, response TEXT NOT NULL, recorded_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox_cursors (queue TEXT PRIMARY KEY, version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (version INTEGER PRIMARY KEY, state TEXT NOT NULL, state_schema TEXT NOT NULL);
`;

describe("an object written by the first release", () => {
  it("wakes with the new code, migrates its schema and keeps its stream, command log and outbox", async () => {
    const id = "old-layout-1";
    const payload = openAccount();
    const recordedAt = "2026-01-02T03:04:05.000Z";
    const response = { streamId: `account/${id}`, version: 1, events: [{ eventId: "old-event-1", type: "AccountOpened", version: 1 }], token: "old-token" };
    const hash = await requestHash("open", payload);
    const stub = objectOf("account", id);
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      sql.exec(FIRST_RELEASE_SCHEMA);
      sql.exec("INSERT INTO stream (id, stream_id) VALUES (1, ?)", `account/${id}`);
      sql.exec(
        "INSERT INTO events (version, event_id, type, schema_version, data, metadata, recorded_at) VALUES (1, 'old-event-1', 'AccountOpened', 1, ?, ?, ?)",
        JSON.stringify({ ...payload, openedAt: recordedAt }),
        JSON.stringify({ commandId: "old-place", correlationId: "old-place", causationId: "old-place", recordedAt }),
        recordedAt,
      );
      sql.exec("INSERT INTO commands (command_id, request_hash, response, recorded_at) VALUES ('old-place', ?, ?, ?)", hash, JSON.stringify(response), recordedAt);
      // The first release knew one subscriber of the account; the statement came later.
      sql.exec("INSERT INTO outbox_cursors (queue, version) VALUES ('fixture-balances', 1)");
    });
    await evictDurableObject(stub);

    const before = await readStream("account", id);
    expect(before.body).toMatchObject({ version: 1, events: [{ eventId: "old-event-1", type: "AccountOpened", metadata: { commandId: "old-place" } }] });

    const replay = await command("account", id, "open", payload, { "Idempotency-Key": "old-place" });
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await json(replay)).toEqual(response);

    const next = await command("account", id, "deposit", { amount: 300 });
    expect(next.status).toBe(200);
    expect((await json(next)).version).toBe(2);

    const stored = await runInDurableObject(stub, (_instance, state) => ({
      version: state.storage.sql.exec<{ version: number }>("SELECT version FROM store_schema").one().version,
      cursors: state.storage.sql.exec<{ queue: string; attempts: number }>("SELECT queue, attempts FROM outbox_cursors ORDER BY queue").toArray(),
    }));
    expect(stored.version).toBe(STORE_SCHEMA_VERSION);
    expect(stored.cursors).toEqual([
      { queue: "fixture-balances", attempts: 0 },
      { queue: "fixture-statement", attempts: 0 },
      // The stream catalog's route is new since the first release: the old stream's head reaches it too.
      { queue: "stream-catalog", attempts: 0 },
    ]);
  });
});

/** Every table of the object's database with its columns and indexes, as SQLite describes them. */
function layoutOf(id: string) {
  return runInDurableObject(objectOf("account", id), (_instance, state) => {
    const sql = state.storage.sql;
    return tableNames(sql).map((table) => ({
      table,
      columns: sql.exec(`PRAGMA table_xinfo(${table})`).toArray(),
      indexes: sql
        .exec<{ name: string; unique: number; origin: string; partial: number }>(`PRAGMA index_list(${table})`)
        .toArray()
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((index) => ({ ...index, seq: undefined, columns: sql.exec(`PRAGMA index_xinfo(${index.name})`).toArray() })),
    }));
  });
}

describe("a new object's layout", () => {
  it("is the one an object of the first release reaches through the migration steps", async () => {
    const fresh = "layout-fresh";
    expect((await command("account", fresh, "open", openAccount())).status).toBe(200);

    const upgraded = "layout-upgraded";
    const stub = objectOf("account", upgraded);
    await runInDurableObject(stub, (_instance, state) => void state.storage.sql.exec(STORE_MIGRATIONS[0]!));
    await evictDurableObject(stub);
    expect((await command("account", upgraded, "open", openAccount())).status).toBe(200);

    const [freshLayout, upgradedLayout] = [await layoutOf(fresh), await layoutOf(upgraded)];
    expect(freshLayout.map((t) => t.table)).toEqual(["commands", "events", "outbox_cursors", "outbox_parked", "snapshots", "store_schema", "stream"]);
    expect(freshLayout).toEqual(upgradedLayout);
    const versions = await Promise.all(
      [fresh, upgraded].map((id) =>
        runInDurableObject(objectOf("account", id), (_instance, state) => state.storage.sql.exec<{ version: number }>("SELECT version FROM store_schema").one().version),
      ),
    );
    expect(versions).toEqual([STORE_SCHEMA_VERSION, STORE_SCHEMA_VERSION]);
  });
});
