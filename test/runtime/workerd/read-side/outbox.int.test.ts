import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { COMMAND_LOG_RETENTION_MS, flushOutbox, MAX_EVENT_BYTES } from "../../../../src/runtime/aggregate-object";
import type { CommandRequest } from "../../../../src/runtime/aggregate-object";
import { CATALOG_HEAD_DELAY_MS, MAX_BATCH_MESSAGES, OUTBOX_SAFETY_DELAY_MS, type QueueSender } from "../../../../src/runtime/outbox";
import { postCommand, runCommand } from "../../../support/api-client";
import { aggregateStub, CapturedEvents, useQueueSender } from "../../../support/captured-events";
import { BALANCES, CREDITING, STATEMENT } from "../../fixture/support";
import { STREAM_CATALOG_QUEUE as STREAM_CATALOG } from "../../../../src/runtime/manifest";
import { readStream } from "../../../support/http";

/** A queue that is down: counts the attempts, sends nothing. */
function downQueue(): { sender: QueueSender; attempts: () => number } {
  let attempts = 0;
  return {
    sender: async (route) => {
      attempts++;
      throw new Error(`queue ${route.queue} is down (test)`);
    },
    attempts: () => attempts,
  };
}

/** Waits for any send in flight, then reads the object's version, per-queue cursors and alarm. */
function outboxState(streamId: string, queues: readonly string[]) {
  return runInDurableObject(aggregateStub(streamId), async (instance, state) => {
    await instance[flushOutbox]();
    return {
      version: instance.store.events.version(),
      cursors: Object.fromEntries(queues.map((q) => [q, instance.store.outbox.cursor(q)])),
      alarm: await state.storage.getAlarm(),
    };
  });
}

const rpc = (streamId: string, request: Omit<CommandRequest, "aggregate" | "id">) => {
  const [aggregate, id] = streamId.split("/") as [string, string];
  return aggregateStub(streamId).execute({ aggregate, id, ...request });
};

describe("outbox with healthy queues", () => {
  it("gives a burst of commands one alarm, due within a second of the first head the catalog waits for, which then hands the alarm back to the command log's pruning", async () => {
    const stream = "account/ob-burst";
    const captured = new CapturedEvents();
    await useQueueSender(stream, captured.sender);
    await runCommand("account/ob-burst/open", { owner: "obc" });
    const first = await outboxState(stream, [BALANCES, STATEMENT]);
    // Sent at once (the catalog's first head too), but the alarm the command set is not rewritten after each send.
    expect(first.cursors).toEqual({ [BALANCES]: 1, [STATEMENT]: 1 });
    expect(first.alarm).not.toBeNull();
    expect(first.alarm!).toBeLessThanOrEqual(Date.now() + OUTBOX_SAFETY_DELAY_MS);
    expect(captured.sentTo(STREAM_CATALOG).map((e) => e.version)).toEqual([1]);

    const burstBegan = Date.now();
    for (const amount of [1, 2, 3]) await runCommand("account/ob-burst/deposit", { amount });
    const burstEnded = Date.now();
    // The burst's heads wait for the alarm: the first of them brought it to within a second (lag
    // reads the catalog's heads), and the rest of the burst shares it.
    expect(captured.sentTo(STREAM_CATALOG).map((e) => e.version)).toEqual([1]);
    const burst = await outboxState(stream, [BALANCES, STATEMENT]);
    expect(burst.cursors).toEqual({ [BALANCES]: 4, [STATEMENT]: 4 });
    expect(burst.alarm!).toBeGreaterThanOrEqual(burstBegan + CATALOG_HEAD_DELAY_MS);
    expect(burst.alarm!).toBeLessThanOrEqual(burstEnded + CATALOG_HEAD_DELAY_MS);
    expect(burst.alarm!).toBeLessThan(first.alarm!);

    expect(await runDurableObjectAlarm(aggregateStub(stream))).toBe(true);
    const after = await outboxState(stream, []);
    expect(after.alarm).toBeGreaterThan(Date.now() + COMMAND_LOG_RETENTION_MS - 60 * 60 * 1000);
    for (const queue of [BALANCES, STATEMENT]) expect(captured.sentTo(queue).map((e) => e.version)).toEqual([1, 2, 3, 4]);
    // outboxState's flush sent the head before the alarm did; the alarm found nothing more.
    expect(captured.sentTo(STREAM_CATALOG).map((e) => e.version)).toEqual([1, 4]);
  });
});

describe("outbox cursors", () => {
  it("are written with the next command's commit, and by the alarm, not after every send", async () => {
    const stream = "account/ob-cursors";
    const captured = new CapturedEvents();
    await useQueueSender(stream, captured.sender);
    await runCommand("account/ob-cursors/open", { owner: "obc" });
    await runCommand("account/ob-cursors/deposit", { amount: 3 });
    const stored = () => runInDurableObject(aggregateStub(stream), (instance) => instance.store.outbox.cursor(BALANCES));
    // Both events were sent; storage has the first command's send, written by the second command.
    expect(captured.sentTo(BALANCES).map((e) => e.version)).toEqual([1, 2]);
    expect(await stored()).toBe(1);
    // The alarm (due within the safety delay) writes the rest; a crash before it would re-send version 2 only.
    expect(await runDurableObjectAlarm(aggregateStub(stream))).toBe(true);
    expect(await stored()).toBe(2);
    expect(captured.sentTo(BALANCES).map((e) => e.version)).toEqual([1, 2]);
  });
});

describe("outbox and the stream catalog", () => {
  it("sends a stream's first head with its command and a later head from the alarm, even while a send is in flight", async () => {
    const stream = "account/ob-heads";
    const captured = new CapturedEvents();
    let release!: () => void;
    // Made here, not inside the object: a promise belongs to the context that created it.
    const held = new Promise<void>((resolve) => (release = resolve));
    let holdBalances = false;
    const sender: QueueSender = async (route, envelopes) => {
      if (holdBalances && route.queue === BALANCES) await held;
      await captured.sender(route, envelopes);
    };
    await useQueueSender(stream, sender);
    await runCommand("account/ob-heads/open", { owner: "obc" });
    await outboxState(stream, []);
    expect(captured.sentTo(STREAM_CATALOG).map((e) => e.version)).toEqual([1]);

    holdBalances = true;
    await runCommand("account/ob-heads/deposit", { amount: 5 });
    // The command's own send is held; the alarm (here a flush, which sends the same way) arrives meanwhile.
    const flushing = runInDurableObject(aggregateStub(stream), (instance) => instance[flushOutbox]());
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await flushing;
    expect(captured.sentTo(STREAM_CATALOG).map((e) => e.version)).toEqual([1, 2]);
    expect(captured.sentTo(BALANCES).map((e) => e.version)).toEqual([1, 2]);
  });
});

describe("what the outbox sends", () => {
  it("is each event as GET /streams reads it from storage, though a command's events are sent without being read back", async () => {
    const stream = "account/ob-same";
    const captured = new CapturedEvents();
    await captured.install(stream);
    await runCommand("account/ob-same/open", { owner: "same" });
    await runCommand("account/ob-same/deposit", { amount: 5 });
    await runCommand("account/ob-same/withdraw", { amount: 2 });
    await outboxState(stream, []);
    // The outbox had the events from their commits: no event row was read from SQLite.
    expect(await runInDurableObject(aggregateStub(stream), (instance) => instance.store.events.rowsRead)).toBe(0);

    const stored = await readStream("account", "ob-same");
    expect(stored.body.events).toHaveLength(3);
    for (const queue of [BALANCES, STATEMENT]) expect(captured.sentTo(queue)).toEqual(stored.body.events);
  });
});

describe("outbox with a failing queue", () => {
  // The dispatcher logs every failed send; the failures here are the point of the test.
  beforeEach(() => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    return () => vi.restoreAllMocks();
  });

  it("answers the command, keeps the events pending with an alarm set, and the alarm sends each event once per queue", async () => {
    const stream = "account/ob-1";
    const down = downQueue();
    await useQueueSender(stream, down.sender);
    await runCommand("account/ob-1/open", { owner: "obc" });
    const response = await postCommand("account/ob-1/deposit", { amount: 6 });
    expect(response.status).toBe(200);

    const pending = await outboxState(stream, [BALANCES, STATEMENT]);
    expect(down.attempts()).toBeGreaterThan(0);
    expect(pending.version).toBe(2);
    expect(pending.cursors).toEqual({ [BALANCES]: 0, [STATEMENT]: 0 });
    expect(pending.alarm).not.toBeNull();

    const captured = new CapturedEvents();
    await useQueueSender(stream, captured.sender);
    expect(await runDurableObjectAlarm(aggregateStub(stream))).toBe(true);

    for (const queue of [BALANCES, STATEMENT]) {
      expect(captured.sentTo(queue).map((e) => `${e.streamId}@${e.version}:${e.type}`)).toEqual([
        "account/ob-1@1:AccountOpened",
        "account/ob-1@2:Deposited",
      ]);
    }
    expect(captured.sentTo(CREDITING)).toEqual([]); // crediting follows payments only
    const sent = await outboxState(stream, [BALANCES, STATEMENT]);
    expect(sent.cursors).toEqual({ [BALANCES]: 2, [STATEMENT]: 2 });
    // Caught up, the outbox hands the alarm back to the command log's pruning, a retention window away.
    expect(sent.alarm).toBeGreaterThan(Date.now() + COMMAND_LOG_RETENTION_MS - 60 * 60 * 1000);

    const batchesBefore = captured.batches.length;
    await runDurableObjectAlarm(aggregateStub(stream));
    await outboxState(stream, []);
    expect(captured.batches).toHaveLength(batchesBefore);

    // Once the queue is back, a new command's events go out at once, without re-sending old ones.
    await runCommand("account/ob-1/withdraw", { amount: 6 });
    await outboxState(stream, []);
    for (const queue of [BALANCES, STATEMENT]) expect(captured.sentTo(queue).map((e) => e.version)).toEqual([1, 2, 3]);
  });

  it("retries only the queue that failed: the healthy queue's cursor moves on and it is never sent an event twice", async () => {
    const stream = "account/ob-half";
    const captured = new CapturedEvents();
    const halfDown: QueueSender = async (route, envelopes) => {
      if (route.queue === STATEMENT) throw new Error("fixture-statement is down (test)");
      await captured.sender(route, envelopes);
    };
    await useQueueSender(stream, halfDown);
    await runCommand("account/ob-half/open", { owner: "obc" });
    await runCommand("account/ob-half/deposit", { amount: 12 });
    const pending = await outboxState(stream, [BALANCES, STATEMENT]);
    expect(pending.cursors).toEqual({ [BALANCES]: 2, [STATEMENT]: 0 });
    expect(pending.alarm).not.toBeNull();

    await useQueueSender(stream, captured.sender);
    await runDurableObjectAlarm(aggregateStub(stream));
    await outboxState(stream, []);
    expect(captured.sentTo(BALANCES).map((e) => e.version)).toEqual([1, 2]);
    expect(captured.sentTo(STATEMENT).map((e) => e.version)).toEqual([1, 2]);
    expect((await outboxState(stream, [BALANCES, STATEMENT])).cursors).toEqual({ [BALANCES]: 2, [STATEMENT]: 2 });
  });

  it("does not send a slow healthy queue the same events twice when another queue fails meanwhile", async () => {
    const stream = "account/ob-slow";
    const captured = new CapturedEvents();
    let release!: () => void;
    const slowSendDone = new Promise<void>((resolve) => (release = resolve));
    const slowAndDown: QueueSender = async (route, envelopes) => {
      if (route.queue === STATEMENT) throw new Error("fixture-statement is down (test)");
      await slowSendDone;
      await captured.sender(route, envelopes);
    };
    await useQueueSender(stream, slowAndDown);
    await runCommand("account/ob-slow/open", { owner: "obc" });
    // A flush (or an alarm, or the next command) while the first send to fixture-balances is in flight.
    const flushing = runInDurableObject(aggregateStub(stream), (instance) => instance[flushOutbox]());
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await flushing;
    await outboxState(stream, []);
    expect(captured.sentTo(BALANCES).map((e) => e.version)).toEqual([1]);
  });

  it("fans another aggregate's events out to its own queues after recovery, and none of the account's", async () => {
    const stream = "payment/ob-p1";
    await useQueueSender(stream, downQueue().sender);
    await runCommand("payment/ob-p1/send", { accountId: "ob-1", amount: 25 });
    const queues = [STATEMENT, CREDITING];
    expect((await outboxState(stream, queues)).cursors).toEqual({ [STATEMENT]: 0, [CREDITING]: 0 });

    const captured = new CapturedEvents();
    await useQueueSender(stream, captured.sender);
    await runDurableObjectAlarm(aggregateStub(stream));
    await outboxState(stream, queues);
    for (const queue of queues) expect(captured.sentTo(queue).map((e) => e.type)).toEqual(["PaymentSent"]);
    expect(captured.sentTo(BALANCES)).toEqual([]);
    expect((await outboxState(stream, queues)).cursors).toEqual({ [STATEMENT]: 1, [CREDITING]: 1 });
  });

  it(`sends 150 pending events in batches of at most ${MAX_BATCH_MESSAGES}, in version order`, async () => {
    const stream = "account/ob-many";
    await useQueueSender(stream, downQueue().sender);
    const open = await rpc(stream, { command: "open", payload: { owner: "obc" }, commandId: "ob-many-0" });
    expect(open.ok).toBe(true);
    for (let i = 1; i < 150; i++) {
      const outcome = await rpc(stream, { command: "deposit", payload: { amount: 3 }, commandId: `ob-many-${i}` });
      expect(outcome.ok).toBe(true);
    }
    expect((await outboxState(stream, [BALANCES, STATEMENT])).cursors).toEqual({ [BALANCES]: 0, [STATEMENT]: 0 });

    const captured = new CapturedEvents();
    await useQueueSender(stream, captured.sender);
    await runInDurableObject(aggregateStub(stream), (instance) => instance[flushOutbox]());

    for (const queue of [BALANCES, STATEMENT]) {
      const batches = captured.batches.filter((b) => b.queue === queue);
      expect(batches.length).toBeGreaterThanOrEqual(2);
      for (const batch of batches) expect(batch.envelopes.length).toBeLessThanOrEqual(MAX_BATCH_MESSAGES);
      expect(batches.flatMap((b) => b.envelopes.map((e) => e.version))).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    }
    const state = await outboxState(stream, [BALANCES, STATEMENT]);
    expect(state.cursors).toEqual({ [BALANCES]: 150, [STATEMENT]: 150 });
  });
});

describe("events too large for a queue message", () => {
  it("refuses a command body over 64 KiB with 413 payload_too_large and stores nothing", async () => {
    const stream = "account/ob-big";
    const captured = new CapturedEvents();
    await captured.install(stream);
    const response = await postCommand("account/ob-big/open", { owner: "obc", labels: ["savings"], padding: "x".repeat(64 * 1024) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: "payload_too_large" });
    expect(await runInDurableObject(aggregateStub(stream), (instance) => instance.store.events.version())).toBe(0);
    expect(captured.batches).toEqual([]);
  });

  it("refuses an event over MAX_EVENT_BYTES at the command (RPC with caller metadata) with 413 and stores nothing", async () => {
    const stream = "account/ob-meta";
    const captured = new CapturedEvents();
    await captured.install(stream);
    const ok = await rpc(stream, { command: "open", payload: { owner: "obc" }, commandId: "ob-meta-1" });
    expect(ok.ok).toBe(true);
    const batchesBefore = captured.batches.length;

    const outcome = await rpc(stream, {
      command: "deposit",
      payload: { amount: 1 },
      commandId: "ob-meta-2",
      metadata: { note: "n".repeat(MAX_EVENT_BYTES) },
    });
    expect(outcome).toMatchObject({ ok: false, status: 413, body: { error: "payload_too_large" } });
    const after = await runInDurableObject(aggregateStub(stream), async (instance) => {
      await instance[flushOutbox]();
      return { version: instance.store.events.version(), command: instance.store.commands.find("ob-meta-2") ?? null };
    });
    expect(after).toEqual({ version: 1, command: null });
    expect(captured.batches).toHaveLength(batchesBefore);

    // The refusal left no trace: the same command id with sane metadata runs normally.
    const retried = await rpc(stream, { command: "deposit", payload: { amount: 1 }, commandId: "ob-meta-2" });
    expect(retried).toMatchObject({ ok: true, replayed: false, body: { version: 2 } });
  });
});
