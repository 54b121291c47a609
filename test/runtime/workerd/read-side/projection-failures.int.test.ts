import { fixtureEnv as env } from "../../fixture/support/worker";
import { beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../../support/api-client";
import { CapturedEvents } from "../../../support/captured-events";
import { rows } from "../../../support/read-model";
import { BALANCES, STATEMENT } from "../../fixture/support";
import { deliver } from "../../fixture/support/delivery";
import { dumpReadModel } from "../../fixture/support/read-model";

const captured = new CapturedEvents();

const checkpointOf = async (projection: string, streamId: string) =>
  (await rows<{ version: number }>("SELECT version FROM projection_checkpoints WHERE projection = ? AND stream_id = ?", projection, streamId))[0]?.version;

/** A row the balances projection does not expect, left by something else (a bad migration, a hand edit). */
const STRAY_ROW = { id: "fo-poisoned", owner: "stray", status: "open", balance: 99, version: 0 };

describe("a D1 batch that fails midway", () => {
  beforeAll(async () => {
    await captured.install("account/fo-poisoned", "account/fo-healthy");
    await runCommand("account/fo-poisoned/open", { owner: "fc-1" });
    await runCommand("account/fo-healthy/open", { owner: "fc-1" });
    // AccountOpened's insert hits the stray row's primary key, after the checkpoint statement of
    // the same batch (which always goes first) has already run.
    await env.READ_DB.prepare("INSERT INTO fixture_balances (id, owner, status, balance, version) VALUES (?, ?, ?, ?, ?)")
      .bind(STRAY_ROW.id, STRAY_ROW.owner, STRAY_ROW.status, STRAY_ROW.balance, STRAY_ROW.version)
      .run();
  });

  it("changes neither the view nor the checkpoint, and the message is retried, not acked", async () => {
    const [opened] = captured.streamSentTo(BALANCES, "account/fo-poisoned");
    const { ids, acked, retried } = await deliver(BALANCES, [opened]);

    expect(retried).toEqual(ids);
    expect(acked).toEqual([]);
    expect(await rows("SELECT * FROM fixture_balances WHERE id = 'fo-poisoned'")).toEqual([STRAY_ROW]);
    expect(await checkpointOf("balances", "account/fo-poisoned")).toBeUndefined();
    expect(await rows("SELECT version, error FROM projection_errors WHERE projection = 'balances' AND stream_id = 'account/fo-poisoned'")).toEqual([
      { version: 1, error: expect.stringContaining("UNIQUE") },
    ]);
  });

  it("does not hold up another stream of the same batch", async () => {
    const [poisoned] = captured.streamSentTo(BALANCES, "account/fo-poisoned");
    const [healthy] = captured.streamSentTo(BALANCES, "account/fo-healthy");
    const { ids, acked, retried } = await deliver(BALANCES, [poisoned, healthy]);

    expect(retried).toEqual([ids[0]]);
    expect(acked).toEqual([ids[1]]);
    expect(await rows("SELECT id, owner, status, version FROM fixture_balances WHERE id IN ('fo-healthy', 'fo-poisoned') ORDER BY id")).toEqual([
      { id: "fo-healthy", owner: "fc-1", status: "open", version: 1 },
      { id: "fo-poisoned", owner: "stray", status: "open", version: 0 },
    ]);
    expect(await checkpointOf("balances", "account/fo-healthy")).toBe(1);
    expect(await checkpointOf("balances", "account/fo-poisoned")).toBeUndefined();
  });

  it("applies the retried message exactly once after the conflict is removed", async () => {
    await env.READ_DB.prepare("DELETE FROM fixture_balances WHERE id = 'fo-poisoned'").run();
    const [opened] = captured.streamSentTo(BALANCES, "account/fo-poisoned");
    const first = await deliver(BALANCES, [opened], 2);
    expect(first.acked).toEqual(first.ids);
    const afterFirst = await dumpReadModel();

    const again = await deliver(BALANCES, [opened], 3);
    expect(again.acked).toEqual(again.ids);
    expect(await dumpReadModel()).toBe(afterFirst);
    expect(await rows("SELECT * FROM fixture_balances WHERE id = 'fo-poisoned'")).toEqual([
      { id: "fo-poisoned", owner: "fc-1", status: "open", balance: 0, version: 1 },
    ]);
    expect(await checkpointOf("balances", "account/fo-poisoned")).toBe(1);
  });
});

describe("duplicates and gaps", () => {
  const stream = "account/go-1";
  const linesOf = () => rows("SELECT version, kind, amount FROM fixture_statement_lines WHERE stream_id = ? ORDER BY version", stream);

  beforeAll(async () => {
    await captured.install(stream);
    await runCommand("account/go-1/open", { owner: "gc-1" });
    await runCommand("account/go-1/deposit", { amount: 100 });
    await runCommand("account/go-1/deposit", { amount: 200 });
    await runCommand("account/go-1/withdraw", { amount: 150 });
    await runCommand("account/go-1/deposit", { amount: 50 });
    await runCommand("account/go-1/withdraw", { amount: 200 });
  });

  it("heals a gap from the aggregate: every intermediate event applied in order, checkpoint at the message's version", async () => {
    const events = captured.streamSentTo(STATEMENT, stream);
    expect(events.map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6]);
    const { ids, acked } = await deliver(STATEMENT, [events[0]]);
    expect(acked).toEqual(ids);

    // v5 arrives while 2-4 are still somewhere in the queue.
    const gap = await deliver(STATEMENT, [events[4]]);
    expect(gap.acked).toEqual(gap.ids);
    expect(await checkpointOf("statement", stream)).toBe(5);
    expect(await linesOf()).toEqual([
      { version: 2, kind: "deposit", amount: 100 },
      { version: 3, kind: "deposit", amount: 200 },
      { version: 4, kind: "withdrawal", amount: -150 },
      { version: 5, kind: "deposit", amount: 50 },
    ]);
  });

  it("acks a message at or below the checkpoint and changes nothing", async () => {
    const events = captured.streamSentTo(STATEMENT, stream);
    const before = await dumpReadModel();
    const { ids, acked, retried } = await deliver(STATEMENT, [events[1], events[3], events[4], events[0]]);
    expect(retried).toEqual([]);
    expect(acked.sort()).toEqual(ids.sort());
    expect(await dumpReadModel()).toBe(before);
  });

  it("applies the next version on top and then ignores its duplicate", async () => {
    const events = captured.streamSentTo(STATEMENT, stream);
    await deliver(STATEMENT, [events[5], events[2]]);
    expect(await checkpointOf("statement", stream)).toBe(6);
    const after = await dumpReadModel();
    expect((await linesOf()).at(-1)).toEqual({ version: 6, kind: "withdrawal", amount: -200 });
    expect(await rows("SELECT COUNT(*) AS lines, SUM(amount) AS total FROM fixture_statement_lines WHERE stream_id = ?", stream)).toEqual([{ lines: 5, total: 0 }]);
    await deliver(STATEMENT, [events[5]]);
    expect(await dumpReadModel()).toBe(after);
  });

  it("heals a gap in the other view too, reaching the message's version in one delivery", async () => {
    const events = captured.streamSentTo(BALANCES, stream);
    const { acked, ids } = await deliver(BALANCES, [events[5]]);
    expect(acked).toEqual(ids);
    expect(await checkpointOf("balances", stream)).toBe(6);
    expect(await rows("SELECT status, balance, version FROM fixture_balances WHERE id = 'go-1'")).toEqual([{ status: "open", balance: 0, version: 6 }]);
  });
});
