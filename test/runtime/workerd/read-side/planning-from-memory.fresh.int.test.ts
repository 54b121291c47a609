import { beforeAll, describe, expect, it } from "vitest";
import { runtimeContextOf } from "../../../../src/runtime/create-runtime";
import { getQuery, runCommand } from "../../../support/api-client";
import { CapturedEvents } from "../../../support/captured-events";
import { json } from "../../../support/http";
import { rows } from "../../../support/read-model";
import { AggregateClient } from "../../../../src/runtime/aggregate-client";
import { BALANCES, CREDITING, openAccount } from "../../fixture/support";
import { fixtureEnv } from "../../fixture/support/worker";
import { deliver } from "../../fixture/support/delivery";
import { HandDrivenQueues } from "../../fixture/support/rebuild";
import { runtime } from "../../fixture/runtime";

// A projection plans a batch from what its isolate remembers (the checkpoints it committed, and
// that no rebuild ran when it last looked) instead of reading D1 first. Memory can only be behind
// D1, never ahead: these tests make it stale the two ways it can be, and the events must still be
// applied exactly once, with a running rebuild's shadow kept level.

const checkpointOf = async (projection: string, streamId: string) =>
  (await rows<{ version: number }>("SELECT version FROM projection_checkpoints WHERE projection = ? AND stream_id = ?", projection, streamId))[0]?.version;

const isStreamJob = (body: unknown) => (body as { rebuild?: string }).rebuild === "stream";

/** The checkpoints the fixture Worker's runtime remembers committing. */
const { committed } = runtimeContextOf(runtime);

describe("subscribers planning from their isolate's memory", () => {
  const captured = new CapturedEvents();

  beforeAll(async () => {
    await captured.install("account/pm-1", "account/pm-2", "account/pm-3", "account/pm-4", "payment/pm-p4");
  });

  it("applies a batch exactly once when another isolate moved a checkpoint it remembers older", async () => {
    await runCommand("account/pm-1/open", openAccount("o-pm"));
    await runCommand("account/pm-1/deposit", { amount: 100 });
    await runCommand("account/pm-1/deposit", { amount: 50 });
    await runCommand("account/pm-2/open", openAccount("o-pm"));
    const [opened, first, second] = captured.streamSentTo(BALANCES, "account/pm-1");
    expect((await deliver(BALANCES, [opened, first])).retried).toEqual([]);
    expect(await checkpointOf("balances", "account/pm-1")).toBe(2);

    // Another isolate applied version 2: this one remembers only version 1.
    committed.forget("READ_DB", "balances", ["account/pm-1"]);
    committed.remember("READ_DB", "balances", [{ streamId: "account/pm-1", version: 1 }]);

    // The batch redelivers version 2 next to version 3 and another stream's first event.
    const { acked, ids, retried } = await deliver(BALANCES, [first, second, ...captured.streamSentTo(BALANCES, "account/pm-2")]);
    expect(retried).toEqual([]);
    expect(acked).toEqual(ids);
    expect(await checkpointOf("balances", "account/pm-1")).toBe(3);
    expect(await json(await getQuery("/accounts/pm-1"))).toMatchObject({ balance: 150, version: 3 });
    expect(await json(await getQuery("/accounts/pm-2"))).toMatchObject({ balance: 0, version: 1 });
    // Stale memory is not a failure of the stream.
    expect(await rows("SELECT stream_id FROM projection_errors WHERE projection = 'balances'")).toEqual([]);
  });

  it("writes a rebuild's shadow when the rebuild started after the isolate last saw none running", async () => {
    const queues = new HandDrivenQueues({ BALANCES_QUEUE: BALANCES });
    await runCommand("account/pm-3/open", openAccount("o-pm"));
    await runCommand("account/pm-3/deposit", { amount: 10 });
    // A live batch: the isolate now remembers the checkpoint, and that no rebuild runs.
    expect((await deliver(BALANCES, captured.streamSentTo(BALANCES, "account/pm-3"))).retried).toEqual([]);

    const started = await queues.rebuild("balances");
    expect(started.status).toBe(202);
    const { rebuildId } = await json<{ rebuildId: string }>(started);
    // The rebuild's first step hands out the stream jobs; the job brings the stream's shadow level with the live view.
    await queues.deliverPending();
    await queues.deliverPending(isStreamJob);
    const shadowOf = async () =>
      (await rows<{ version: number }>("SELECT version FROM rebuild_streams WHERE rebuild_id = ? AND stream_id = 'account/pm-3'", rebuildId))[0]?.version;
    expect(await shadowOf()).toBe(2);

    await runCommand("account/pm-3/deposit", { amount: 5 });
    const [, , latest] = captured.streamSentTo(BALANCES, "account/pm-3");
    const { acked, ids } = await deliver(BALANCES, [latest]);
    expect(acked).toEqual(ids);
    expect(await checkpointOf("balances", "account/pm-3")).toBe(3);
    // Planned on "no rebuild runs", the write was refused by its guard and planned again: the
    // shadow got the live event too, so the rebuild need not chase it.
    expect(await shadowOf()).toBe(3);

    await queues.drain();
    expect(await json(await getQuery("/accounts/pm-3"))).toMatchObject({ balance: 15, version: 3 });
  });

  it("make a process manager act once per event when another isolate moved a checkpoint it remembers older", async () => {
    await runCommand("account/pm-4/open", openAccount("o-pm"));
    await runCommand("payment/pm-p4/send", { accountId: "pm-4", amount: 100 });
    await runCommand("payment/pm-p4/top-up", { amount: 20 });
    await runCommand("payment/pm-p4/top-up", { amount: 3 });
    const [sent, firstTopUp, secondTopUp] = captured.streamSentTo(CREDITING, "payment/pm-p4");
    expect((await deliver(CREDITING, [sent, firstTopUp])).retried).toEqual([]);
    expect(await checkpointOf("crediting", "payment/pm-p4")).toBe(2);

    committed.forget("READ_DB", "crediting", ["payment/pm-p4"]);
    committed.remember("READ_DB", "crediting", [{ streamId: "payment/pm-p4", version: 1 }]);

    const { acked, ids, retried } = await deliver(CREDITING, [firstTopUp, secondTopUp]);
    expect(retried).toEqual([]);
    expect(acked).toEqual(ids);
    expect(await checkpointOf("crediting", "payment/pm-p4")).toBe(3);
    const page = await AggregateClient.fromEnv(fixtureEnv).readStream({ aggregate: "account", id: "pm-4", from: 1, limit: 100 });
    // One deposit per payment event: the one handed on twice was deduplicated by its command id.
    expect(page?.events.map((e) => [e.type, e.data])).toEqual([
      ["AccountOpened", expect.anything()],
      ["Deposited", expect.objectContaining({ amount: 100 })],
      ["Deposited", expect.objectContaining({ amount: 20 })],
      ["Deposited", expect.objectContaining({ amount: 3 })],
    ]);
    expect(await rows("SELECT stream_id FROM projection_errors WHERE projection = 'crediting'")).toEqual([]);
  });
});
