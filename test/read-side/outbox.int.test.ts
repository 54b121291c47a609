import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { COMMAND_LOG_RETENTION_MS, flushOutbox, MAX_EVENT_BYTES } from "../../src/runtime/aggregate-object";
import type { CommandRequest } from "../../src/runtime/aggregate-object";
import { byteLength, MAX_BATCH_MESSAGES, type QueueSender } from "../../src/runtime/outbox";
import { postCommand, runCommand } from "../support/api-client";
import { aggregateStub, CapturedEvents, useQueueSender } from "../support/captured-events";
import { ORDER_DETAILS, ORDER_HISTORY, PROCESS_MANAGERS } from "../support/queue-delivery";

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
      version: instance.store.version(),
      cursors: Object.fromEntries(queues.map((q) => [q, instance.store.cursor(q)])),
      alarm: await state.storage.getAlarm(),
    };
  });
}

const rpc = (streamId: string, request: Omit<CommandRequest, "aggregate" | "id">) => {
  const [aggregate, id] = streamId.split("/") as [string, string];
  return aggregateStub(streamId).execute({ aggregate, id, ...request });
};

describe("outbox with a failing queue", () => {
  // The dispatcher logs every failed send; the failures here are the point of the test.
  beforeEach(() => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    return () => vi.restoreAllMocks();
  });

  it("answers the command, keeps the events pending with an alarm set, and the alarm sends each event once per queue", async () => {
    const stream = "order/ob-1";
    const down = downQueue();
    await useQueueSender(stream, down.sender);
    await runCommand("order/ob-1/place", { customerId: "obc", items: [{ sku: "a", quantity: 1, unitPrice: 5 }, { sku: "b", quantity: 1, unitPrice: 6 }] });
    const response = await postCommand("order/ob-1/remove-item", { sku: "b" });
    expect(response.status).toBe(200);

    const pending = await outboxState(stream, [ORDER_DETAILS, ORDER_HISTORY]);
    expect(down.attempts()).toBeGreaterThan(0);
    expect(pending.version).toBe(2);
    expect(pending.cursors).toEqual({ [ORDER_DETAILS]: 0, [ORDER_HISTORY]: 0 });
    expect(pending.alarm).not.toBeNull();

    const captured = new CapturedEvents();
    await useQueueSender(stream, captured.sender);
    expect(await runDurableObjectAlarm(aggregateStub(stream))).toBe(true);

    for (const queue of [ORDER_DETAILS, ORDER_HISTORY]) {
      expect(captured.sentTo(queue).map((e) => `${e.streamId}@${e.version}:${e.type}`)).toEqual([
        "order/ob-1@1:OrderPlaced",
        "order/ob-1@2:ItemRemoved",
      ]);
    }
    expect(captured.sentTo(PROCESS_MANAGERS)).toEqual([]); // fulfilment follows deliveries only
    const sent = await outboxState(stream, [ORDER_DETAILS, ORDER_HISTORY]);
    expect(sent.cursors).toEqual({ [ORDER_DETAILS]: 2, [ORDER_HISTORY]: 2 });
    // Caught up, the outbox hands the alarm back to the command log's pruning, a retention window away.
    expect(sent.alarm).toBeGreaterThan(Date.now() + COMMAND_LOG_RETENTION_MS - 60 * 60 * 1000);

    const batchesBefore = captured.batches.length;
    await runDurableObjectAlarm(aggregateStub(stream));
    await outboxState(stream, []);
    expect(captured.batches).toHaveLength(batchesBefore);

    // Once the queue is back, a new command's events go out at once, without re-sending old ones.
    await runCommand("order/ob-1/cancel", {});
    await outboxState(stream, []);
    for (const queue of [ORDER_DETAILS, ORDER_HISTORY]) expect(captured.sentTo(queue).map((e) => e.version)).toEqual([1, 2, 3]);
  });

  it("retries only the queue that failed: the healthy queue's cursor moves on and it is never sent an event twice", async () => {
    const stream = "order/ob-half";
    const captured = new CapturedEvents();
    const halfDown: QueueSender = async (route, envelopes) => {
      if (route.queue === ORDER_HISTORY) throw new Error("order-history is down (test)");
      await captured.sender(route, envelopes);
    };
    await useQueueSender(stream, halfDown);
    await runCommand("order/ob-half/place", { customerId: "obc", items: [{ sku: "a", quantity: 1, unitPrice: 5 }] });
    await runCommand("order/ob-half/add-item", { sku: "b", quantity: 2, unitPrice: 6 });
    const pending = await outboxState(stream, [ORDER_DETAILS, ORDER_HISTORY]);
    expect(pending.cursors).toEqual({ [ORDER_DETAILS]: 2, [ORDER_HISTORY]: 0 });
    expect(pending.alarm).not.toBeNull();

    await useQueueSender(stream, captured.sender);
    await runDurableObjectAlarm(aggregateStub(stream));
    await outboxState(stream, []);
    expect(captured.sentTo(ORDER_DETAILS).map((e) => e.version)).toEqual([1, 2]);
    expect(captured.sentTo(ORDER_HISTORY).map((e) => e.version)).toEqual([1, 2]);
    expect((await outboxState(stream, [ORDER_DETAILS, ORDER_HISTORY])).cursors).toEqual({ [ORDER_DETAILS]: 2, [ORDER_HISTORY]: 2 });
  });

  it("does not send a slow healthy queue the same events twice when another queue fails meanwhile", async () => {
    const stream = "order/ob-slow";
    const captured = new CapturedEvents();
    let release!: () => void;
    const slowSendDone = new Promise<void>((resolve) => (release = resolve));
    const slowAndDown: QueueSender = async (route, envelopes) => {
      if (route.queue === ORDER_HISTORY) throw new Error("order-history is down (test)");
      await slowSendDone;
      await captured.sender(route, envelopes);
    };
    await useQueueSender(stream, slowAndDown);
    await runCommand("order/ob-slow/place", { customerId: "obc", items: [{ sku: "a", quantity: 1, unitPrice: 5 }] });
    // A flush (or an alarm, or the next command) while the first send to order-details is in flight.
    const flushing = runInDurableObject(aggregateStub(stream), (instance) => instance[flushOutbox]());
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await flushing;
    await outboxState(stream, []);
    expect(captured.sentTo(ORDER_DETAILS).map((e) => e.version)).toEqual([1]);
  });

  it("fans a delivery's events out to all three of its queues after recovery", async () => {
    const stream = "delivery/ob-d1";
    await useQueueSender(stream, downQueue().sender);
    await runCommand("delivery/ob-d1/schedule", { orderId: "ob-1", address: "somewhere" });
    await runCommand("delivery/ob-d1/pick-up");
    const queues = [ORDER_DETAILS, ORDER_HISTORY, PROCESS_MANAGERS];
    expect((await outboxState(stream, queues)).cursors).toEqual({ [ORDER_DETAILS]: 0, [ORDER_HISTORY]: 0, [PROCESS_MANAGERS]: 0 });

    const captured = new CapturedEvents();
    await useQueueSender(stream, captured.sender);
    await runDurableObjectAlarm(aggregateStub(stream));
    await outboxState(stream, queues);
    for (const queue of queues) expect(captured.sentTo(queue).map((e) => e.type)).toEqual(["DeliveryScheduled", "DeliveryPickedUp"]);
    expect((await outboxState(stream, queues)).cursors).toEqual({ [ORDER_DETAILS]: 2, [ORDER_HISTORY]: 2, [PROCESS_MANAGERS]: 2 });
  });

  it(`sends 150 pending events in batches of at most ${MAX_BATCH_MESSAGES}, in version order`, async () => {
    const stream = "order/ob-many";
    await useQueueSender(stream, downQueue().sender);
    const place = await rpc(stream, { command: "place", payload: { customerId: "obc", items: [{ sku: "bolt", quantity: 1, unitPrice: 3 }] }, commandId: "ob-many-0" });
    expect(place.ok).toBe(true);
    for (let i = 1; i < 150; i++) {
      const outcome = await rpc(stream, { command: "add-item", payload: { sku: "bolt", quantity: 1, unitPrice: 3 }, commandId: `ob-many-${i}` });
      expect(outcome.ok).toBe(true);
    }
    expect((await outboxState(stream, [ORDER_DETAILS, ORDER_HISTORY])).cursors).toEqual({ [ORDER_DETAILS]: 0, [ORDER_HISTORY]: 0 });

    const captured = new CapturedEvents();
    await useQueueSender(stream, captured.sender);
    await runInDurableObject(aggregateStub(stream), (instance) => instance[flushOutbox]());

    for (const queue of [ORDER_DETAILS, ORDER_HISTORY]) {
      const batches = captured.batches.filter((b) => b.queue === queue);
      expect(batches.length).toBeGreaterThanOrEqual(2);
      for (const batch of batches) expect(batch.envelopes.length).toBeLessThanOrEqual(MAX_BATCH_MESSAGES);
      expect(batches.flatMap((b) => b.envelopes.map((e) => e.version))).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    }
    const state = await outboxState(stream, [ORDER_DETAILS, ORDER_HISTORY]);
    expect(state.cursors).toEqual({ [ORDER_DETAILS]: 150, [ORDER_HISTORY]: 150 });
  });
});

describe("events too large for a queue message", () => {
  it("refuses a command body over 64 KiB with 413 payload_too_large and stores nothing", async () => {
    const stream = "order/ob-big";
    const captured = new CapturedEvents();
    await captured.install(stream);
    const items = Array.from({ length: 100 }, (_, i) => ({ sku: `${i}`.padStart(64, "s"), quantity: 1, unitPrice: 1 }));
    const response = await postCommand("order/ob-big/place", { customerId: "obc", items, padding: "x".repeat(64 * 1024) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: "payload_too_large" });
    expect(await runInDurableObject(aggregateStub(stream), (instance) => instance.store.version())).toBe(0);
    expect(captured.batches).toEqual([]);
  });

  it("cannot be produced through HTTP: the largest order the domain accepts is far below the per-event limit", async () => {
    const stream = "order/ob-largest";
    const captured = new CapturedEvents();
    await captured.install(stream);
    const items = Array.from({ length: 100 }, (_, i) => ({ sku: `${i}`.padStart(64, "\u00e9"), quantity: 10_000, unitPrice: 100_000_000 }));
    await runCommand("order/ob-largest/place", { customerId: "c".repeat(128), items }, { "X-Correlation-Id": "k".repeat(200), "Idempotency-Key": "i".repeat(200) });
    const [placed] = captured.sentTo(ORDER_DETAILS);
    expect(byteLength(JSON.stringify(placed))).toBeLessThan(MAX_EVENT_BYTES / 4);
  });

  it("refuses an event over MAX_EVENT_BYTES at the command (RPC with caller metadata) with 413 and stores nothing", async () => {
    const stream = "order/ob-meta";
    const captured = new CapturedEvents();
    await captured.install(stream);
    const ok = await rpc(stream, { command: "place", payload: { customerId: "obc", items: [{ sku: "a", quantity: 1, unitPrice: 1 }] }, commandId: "ob-meta-1" });
    expect(ok.ok).toBe(true);
    const batchesBefore = captured.batches.length;

    const outcome = await rpc(stream, {
      command: "add-item",
      payload: { sku: "b", quantity: 1, unitPrice: 1 },
      commandId: "ob-meta-2",
      metadata: { note: "n".repeat(MAX_EVENT_BYTES) },
    });
    expect(outcome).toMatchObject({ ok: false, status: 413, body: { error: "payload_too_large" } });
    const after = await runInDurableObject(aggregateStub(stream), async (instance) => {
      await instance[flushOutbox]();
      return { version: instance.store.version(), command: instance.store.command("ob-meta-2") ?? null };
    });
    expect(after).toEqual({ version: 1, command: null });
    expect(captured.batches).toHaveLength(batchesBefore);

    // The refusal left no trace: the same command id with sane metadata runs normally.
    const retried = await rpc(stream, { command: "add-item", payload: { sku: "b", quantity: 1, unitPrice: 1 }, commandId: "ob-meta-2" });
    expect(retried).toMatchObject({ ok: true, replayed: false, body: { version: 2 } });
  });
});
