import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openAccount } from "../../fixture/support";
import { API_TOKEN, call, command, json, objectOf, readStream } from "../../../support/http";

// The fixture's Deposited is at schema version 2; version 1 named the amount `cents`
// (test/runtime/fixture/domain/account.ts). Rows stored as version 1 must read as version 2 everywhere:
// in /streams, in the state `decide` sees, and in the envelopes the projectors receive.

/** Writes a schema-version-1 Deposited row straight into the object's events table, as an old deploy would have. */
async function seedV1Deposited(id: string, version: number, data: unknown): Promise<void> {
  await runInDurableObject(objectOf("account", id), (_instance, state) => {
    const recordedAt = "2025-06-01T12:00:00.000Z";
    const metadata = { commandId: `legacy-${version}`, correlationId: `legacy-${version}`, causationId: `legacy-${version}`, recordedAt };
    state.storage.sql.exec(
      "INSERT INTO events (version, event_id, type, schema_version, data, metadata, recorded_at) VALUES (?, ?, 'Deposited', 1, ?, ?, ?)",
      version,
      `0197c0de-0000-7000-8000-00000000000${version}`,
      JSON.stringify(data),
      JSON.stringify(metadata),
      recordedAt,
    );
  });
}

describe("upcasting Deposited v1 → v2", () => {
  it("serves a stored v1 event as v2 in /streams, folds it into the state, and keeps deciding on it", async () => {
    expect((await command("account", "up-1", "open", openAccount())).status).toBe(200);
    await seedV1Deposited("up-1", 2, { cents: 300, memo: "legacy" });
    // The running instance holds the state of version 1 in memory; the seeded row is read on wake.
    await evictDurableObject(objectOf("account", "up-1"));

    const { status, body } = await readStream("account", "up-1", { asOf: 2 });
    expect(status).toBe(200);
    expect(body.version).toBe(2);
    expect(body.events[1]).toMatchObject({ version: 2, type: "Deposited", schemaVersion: 2, data: { amount: 300, memo: "legacy" } });
    expect(body.events[1].data).not.toHaveProperty("cents");
    expect(body.state.value).toEqual({ status: "open", owner: "c-1", balance: 300, deposits: 1 });

    // decide sees the upcast amount: withdrawing more than it is refused, less succeeds.
    const overdraft = await command("account", "up-1", "withdraw", { amount: 301 });
    expect(overdraft.status).toBe(422);
    expect((await json(overdraft)).reason).toBe("insufficient_funds");
    const withdrawn = await command("account", "up-1", "withdraw", { amount: 200 });
    expect(withdrawn.status).toBe(200);
    expect((await json(withdrawn)).version).toBe(3);

    const after = await readStream("account", "up-1", { asOf: 3 });
    expect(after.body.events[2]).toMatchObject({ type: "Withdrawn", data: { amount: 200 } });
    expect(after.body.state.value).toMatchObject({ balance: 100 });

    // The read model, fed the same envelopes through the queues, agrees.
    const view = await call(`/accounts/up-1?consistentWith=${withdrawn.headers.get("X-Consistency-Token")}&wait=5000`, {
      headers: { Authorization: `Bearer ${API_TOKEN}` },
    });
    expect(view.status).toBe(200);
    expect(await json(view)).toMatchObject({ balance: 100, version: 3 });
  });

  it("writes new Deposited events as schema version 2 with the current shape", async () => {
    await command("account", "up-2", "open", openAccount());
    await command("account", "up-2", "deposit", { amount: 400 });
    const rows = await runInDurableObject(objectOf("account", "up-2"), (_instance, state) =>
      state.storage.sql.exec<{ type: string; schema_version: number; data: string }>("SELECT type, schema_version, data FROM events ORDER BY version").toArray(),
    );
    expect(rows.map((r) => ({ ...r, data: JSON.parse(r.data) }))).toEqual([
      { type: "AccountOpened", schema_version: 1, data: expect.objectContaining({ owner: "c-1" }) },
      { type: "Deposited", schema_version: 2, data: { amount: 400, memo: null } },
    ]);
    const { body } = await readStream("account", "up-2");
    expect(body.events.map((e: { schemaVersion: number }) => e.schemaVersion)).toEqual([1, 2]);
  });

  it("upcasts on /streams of a running object too, not only on wake", async () => {
    await command("account", "up-3", "open", openAccount());
    await seedV1Deposited("up-3", 2, { cents: 900, memo: null });
    const { body } = await readStream("account", "up-3", { from: 2 });
    expect(body.events).toEqual([expect.objectContaining({ version: 2, schemaVersion: 2, data: { amount: 900, memo: null } })]);
    await evictDurableObject(objectOf("account", "up-3"));
  });
});
