import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { COMMAND_LOG_PRUNE_ROWS, COMMAND_LOG_RETENTION_MS } from "../../../../src/runtime/aggregate-object";
import type { CommandRequest } from "../../../../src/runtime/aggregate-object";
import { openAccount } from "../../fixture/support";
import { objectOf } from "../../../support/http";

// The command log keeps each answer for COMMAND_LOG_RETENTION_MS (the idempotency window) and is
// pruned, a bounded number of rows at a time, from the object's alarm.

const DAY_MS = 24 * 60 * 60 * 1000;

const run = (id: string, request: Omit<CommandRequest, "aggregate" | "id">) => objectOf("account", id).execute({ aggregate: "account", id, ...request });

/**
 * Backdates commands in the log, as if they had been recorded `ageMs` ago; then evicts the object,
 * as those days would have, so it wakes knowing only what its storage says.
 */
async function backdate(id: string, commandIds: readonly string[], ageMs: number): Promise<void> {
  await runInDurableObject(objectOf("account", id), (_instance, state) => {
    const at = new Date(Date.now() - ageMs).toISOString();
    for (const commandId of commandIds) state.storage.sql.exec("UPDATE commands SET recorded_at = ? WHERE command_id = ?", at, commandId);
  });
  await evictDurableObject(objectOf("account", id));
}

const commandIds = (id: string) =>
  runInDurableObject(objectOf("account", id), (_instance, state) =>
    state.storage.sql.exec<{ command_id: string }>("SELECT command_id FROM commands ORDER BY command_id").toArray().map((r) => r.command_id),
  );

describe("command-log retention", () => {
  it("prunes a command older than the window from the alarm; a newer one still replays", async () => {
    const id = "retention-1";
    expect((await run(id, { command: "open", payload: openAccount(), commandId: "ret-old" })).ok).toBe(true);
    const add = { command: "deposit", payload: { amount: 300 }, commandId: "ret-new" };
    const first = await run(id, add);
    expect(first.ok).toBe(true);
    await backdate(id, ["ret-old"], COMMAND_LOG_RETENTION_MS + DAY_MS);
    await backdate(id, ["ret-new"], COMMAND_LOG_RETENTION_MS - DAY_MS);

    expect(await runDurableObjectAlarm(objectOf("account", id))).toBe(true);
    expect(await commandIds(id)).toEqual(["ret-new"]);

    const replay = await run(id, add);
    expect(replay).toEqual({ ...first, replayed: true });
    // Its day comes: the alarm is set for when the newer command leaves the window.
    const alarm = await runInDurableObject(objectOf("account", id), (_instance, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThan(Date.now());
    expect(alarm).toBeLessThanOrEqual(Date.now() + DAY_MS);
  });

  it("keeps an alarm for the log after the outbox is done with it", async () => {
    const id = "retention-2";
    expect((await run(id, { command: "open", payload: openAccount(), commandId: "ret2-place" })).ok).toBe(true);
    await runDurableObjectAlarm(objectOf("account", id));
    await backdate(id, ["ret2-place"], COMMAND_LOG_RETENTION_MS + DAY_MS);
    expect(await runDurableObjectAlarm(objectOf("account", id))).toBe(true);
    expect(await commandIds(id)).toEqual([]);
  });

  it(`prunes at most ${COMMAND_LOG_PRUNE_ROWS} rows per alarm and comes back for the rest`, async () => {
    const id = "retention-3";
    expect((await run(id, { command: "open", payload: openAccount(), commandId: "ret3-place" })).ok).toBe(true);
    // The outbox's alarm for the new event is due now: let it run first, or it may run on its own
    // after the backlog is inserted and prune before the alarm this test runs.
    await runDurableObjectAlarm(objectOf("account", id));
    const idle = await runInDurableObject(objectOf("account", id), (_instance, state) => state.storage.getAlarm());
    expect(idle).toBeGreaterThan(Date.now() + DAY_MS);
    await runInDurableObject(objectOf("account", id), (_instance, state) => {
      const at = new Date(Date.now() - COMMAND_LOG_RETENTION_MS - DAY_MS).toISOString();
      for (let i = 0; i < COMMAND_LOG_PRUNE_ROWS + 5; i++) {
        state.storage.sql.exec("INSERT INTO commands (command_id, request_hash, response, recorded_at) VALUES (?, 'h', '{}', ?)", `old-${i}`, at);
      }
    });
    await evictDurableObject(objectOf("account", id));
    expect(await runDurableObjectAlarm(objectOf("account", id))).toBe(true);
    expect(await commandIds(id)).toHaveLength(6);
    // The rest are overdue, yet the next alarm comes a second later, not at once: each alarm stays a short write.
    const next = await runInDurableObject(objectOf("account", id), (_instance, state) => state.storage.getAlarm());
    expect(next).toBeGreaterThan(Date.now());
    // It may run on its own before this test runs it.
    for (let alarms = 0; alarms < 5 && (await commandIds(id)).length > 1; alarms++) await runDurableObjectAlarm(objectOf("account", id));
    expect(await commandIds(id)).toEqual(["ret3-place"]);
  });
});
