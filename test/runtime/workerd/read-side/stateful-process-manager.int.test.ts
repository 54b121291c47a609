import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AggregateClient } from "../../../../src/runtime/aggregate-client";
import type { CommandRequest } from "../../../../src/runtime/aggregate-protocol";
import type { EventEnvelope } from "../../../../src/runtime/envelope";
import { INSTANCE_SCHEMA_VERSION, useCommandSender, type ProcessManagerObjectInstance } from "../../../../src/runtime/process-manager-object";
import { INSTANCE_MIGRATIONS } from "../../../../src/runtime/process-manager-object/instance-schema";
import { runCommand } from "../../../support/api-client";
import { CapturedEvents } from "../../../support/captured-events";
import { adminGet, call, json } from "../../../support/http";
import { LogLines } from "../../../support/log-lines";
import { CREDITING, SETTLEMENT } from "../../fixture/support";
import { deliver, deliverElsewhere } from "../../fixture/support/delivery";
import { fixtureEnv } from "../../fixture/support/worker";
import { loseCheckpoints } from "../../../support/read-model";
import { eventually } from "../../../support/eventually";

// The fixture's stateful settlement manager (one instance per payment): a payment sent with
// `confirmBy` must be confirmed by then, or the deadline expires it and withdraws what crediting
// deposited. Payment events are captured and delivered by hand, so each test decides what
// reaches the manager's queue, when, and how often.

const captured = new CapturedEvents();
const logs = new LogLines();
beforeEach(() => logs.install());
afterEach(() => logs.restore());

/** The settlement instance's object: how tests evict it and run its alarm. */
const instances = fixtureEnv.PROCESS_MANAGERS as unknown as DurableObjectNamespace<ProcessManagerObjectInstance>;
const instanceStub = (paymentId: string) => instances.get(instances.idFromName(`settlement/${paymentId}`));

async function instance(paymentId: string): Promise<Record<string, any>> {
  const response = await adminGet(`/admin/process-managers/settlement/${paymentId}`);
  expect(response.status).toBe(200);
  return json(response);
}

async function streamEvents(aggregate: string, id: string): Promise<EventEnvelope[]> {
  const page = await AggregateClient.fromEnv(fixtureEnv).readStream({ aggregate, id, from: 1, limit: 100 });
  return [...(page?.events ?? [])];
}


async function delivered(queue: string, bodies: readonly unknown[], to: typeof deliver = deliver): Promise<void> {
  const { acked, ids, retried } = await to(queue, bodies);
  expect(retried).toEqual([]);
  expect(acked.sort()).toEqual(ids.sort());
}

/** Opens an account and sends it a captured payment; returns the payment's events so far. */
async function sendPayment(accountId: string, paymentId: string, amount: number, confirmBy?: string): Promise<EventEnvelope[]> {
  await captured.install(`payment/${paymentId}`);
  await runCommand(`account/${accountId}/open`, { owner: "ps" });
  await runCommand(`payment/${paymentId}/send`, { accountId, amount, ...(confirmBy ? { confirmBy } : {}) }, { "X-Correlation-Id": `checkout-${paymentId}` });
  return captured.streamSentTo(SETTLEMENT, `payment/${paymentId}`);
}

const inOneHour = () => new Date(Date.now() + 3_600_000).toISOString();

describe("a stateful process manager, one Durable Object per instance", () => {
  it("decides on each event once, whether it comes duplicated, out of order or after a lost checkpoint", async () => {
    await sendPayment("sa-1", "sp-1", 500, inOneHour());
    await runCommand("payment/sp-1/top-up", { amount: 200 });
    await runCommand("payment/sp-1/top-up", { amount: 50 });
    const [sent, first, second] = captured.streamSentTo(SETTLEMENT, "payment/sp-1") as [EventEnvelope, EventEnvelope, EventEnvelope];

    // The last top-up first, each twice, the middle one missing: the consumer heals the gap from
    // the payment and hands the instance every version once, in order.
    await delivered(SETTLEMENT, [second, sent, second, sent]);
    let view = await instance("sp-1");
    expect(view.state).toEqual({ status: "awaiting", accountId: "sa-1", credited: 750 });
    expect(view.messages).toBe(3);
    expect(view.streams).toEqual([{ streamId: "payment/sp-1", version: 3 }]);
    expect(view.decisions.map((d: any) => d.message.version)).toEqual([3, 2, 1]);
    const { confirmBy } = sent.data as { confirmBy: string };
    expect(view.timers).toEqual([{ id: "confirm-by", at: confirmBy, payload: { paymentId: "sp-1", accountId: "sa-1" }, attempts: 0, lastError: null }]);

    // The consumer's checkpoint lost (a crash after the instance decided): the instance's own
    // high-water mark per stream passes over what it already decided on.
    await loseCheckpoints("settlement");
    await delivered(SETTLEMENT, [sent, first, second], deliverElsewhere);
    view = await instance("sp-1");
    expect(view.state).toEqual({ status: "awaiting", accountId: "sa-1", credited: 750 });
    expect(view.messages).toBe(3);
  });

  it("fires a deadline after the instance was evicted, exactly once, with deterministic command ids", async () => {
    const confirmBy = new Date(Date.now() + 2_000).toISOString();
    const [sent] = (await sendPayment("sa-2", "sp-2", 300, confirmBy)) as [EventEnvelope];
    await delivered(CREDITING, [sent]);
    await delivered(SETTLEMENT, [sent]);
    expect((await instance("sp-2")).timers.map((t: { id: string }) => t.id)).toEqual(["confirm-by"]);

    await evictDurableObject(instanceStub("sp-2"));
    const payment = await eventually(() => streamEvents("payment", "sp-2"), (events) => events.length === 2, "the payment to expire");
    expect(payment.map((e) => e.type)).toEqual(["PaymentSent", "PaymentExpired"]);
    const timerCause = `timer:confirm-by@${Date.parse(confirmBy)}`;
    expect(payment[1]!.metadata).toMatchObject({
      commandId: `edge-cqrs:pm:settlement:sp-2:${timerCause}:0`,
      causationId: timerCause,
      correlationId: "checkout-sp-2",
      actor: "edge-cqrs:process-manager:settlement",
    });
    const account = await eventually(() => streamEvents("account", "sa-2"), (events) => events.length === 3, "the withdrawal");
    expect(account.map((e) => [e.type, e.data])).toEqual([
      ["AccountOpened", expect.anything()],
      ["Deposited", { amount: 300, memo: "payment sp-2" }],
      ["Withdrawn", { amount: 300 }],
    ]);
    expect(account[2]!.metadata.commandId).toBe(`edge-cqrs:pm:settlement:sp-2:${timerCause}:1`);

    const view = await eventually(() => instance("sp-2"), (v) => v.outbox.length === 0, "the outbox to drain");
    expect(view.state).toMatchObject({ status: "expired" });
    expect(view.timers).toEqual([]);
    expect(view.decisions.filter((d: any) => d.message.kind === "timer")).toHaveLength(1);
    // Nothing is left to fire: a further alarm (a platform retry) changes nothing.
    await runDurableObjectAlarm(instanceStub("sp-2"));
    expect(await streamEvents("payment", "sp-2")).toHaveLength(2);
    expect(await streamEvents("account", "sa-2")).toHaveLength(3);
  });

  it("records a command its aggregate refuses, once, and does not retry it", async () => {
    const confirmBy = new Date(Date.now() - 1_000).toISOString();
    const [sent] = (await sendPayment("sa-5", "sp-5", 40, confirmBy)) as [EventEnvelope];
    // Crediting never ran: the withdrawal of the deadline finds an empty account.
    await delivered(SETTLEMENT, [sent]);
    const view = await eventually(() => instance("sp-5"), (v) => v.rejected.length > 0 && v.outbox.length === 0, "the refusal");
    expect(view.rejected).toEqual([
      expect.objectContaining({ aggregate: "account", id: "sa-5", command: "withdraw", status: 422, error: "rejected", reason: "insufficient_funds" }),
    ]);
    expect((await streamEvents("payment", "sp-5")).map((e) => e.type)).toEqual(["PaymentSent", "PaymentExpired"]);
    expect(logs.of("process-manager.command-refused", (l) => l.key === "sp-5")).toEqual([
      expect.objectContaining({ level: "warn", subscriber: "settlement", streamId: "account/sa-5", command: "withdraw", commandId: view.rejected[0].commandId, error: "rejected" }),
    ]);
    // A top-up of the expired payment is withdrawn as it comes (still refused: nothing was credited).
    await runCommand("payment/sp-5/top-up", { amount: 10 });
    const toppedUp = captured.streamSentTo(SETTLEMENT, "payment/sp-5").find((e) => e.type === "PaymentToppedUp");
    await delivered(SETTLEMENT, [toppedUp, toppedUp]);
    const after = await eventually(() => instance("sp-5"), (v) => v.rejected.length === 2, "the second refusal");
    expect(after.rejected.map((r: { payload: unknown }) => r.payload)).toEqual([{ amount: 10 }, { amount: 40 }]);
    expect(after.outbox).toEqual([]);
  });

  it("loses nothing when sending fails between deciding and sending: the alarm sends it after an eviction", async () => {
    await runCommand("account/sa-4/open", { owner: "ps" });
    await runCommand("account/sa-4/deposit", { amount: 1_000 });
    await captured.install("payment/sp-4");
    await runCommand("payment/sp-4/send", { accountId: "sa-4", amount: 100, confirmBy: new Date(Date.now() - 1_000).toISOString() });
    const [sent] = captured.streamSentTo(SETTLEMENT, "payment/sp-4");

    // The injected fault: this incarnation of the object never reaches an aggregate. An eviction
    // ends it, as a crash would; the next one sends with the real client.
    let failures = 0;
    await runInDurableObject(instanceStub("sp-4"), (object) =>
      object[useCommandSender](async (_request: CommandRequest) => {
        failures += 1;
        throw new Error("the aggregate is unreachable (test)");
      }),
    );
    await delivered(SETTLEMENT, [sent]);
    await eventually(async () => failures, (n) => n >= 1, "the injected failure");
    const pending = await instance("sp-4");
    expect(pending.outbox.map((c: { command: string }) => c.command)).toEqual(["expire", "withdraw"]);
    expect(pending.outbox[0]).toMatchObject({ lastError: "the aggregate is unreachable (test)" });
    expect(logs.of("process-manager.command-retry", (l) => l.key === "sp-4")[0]).toMatchObject({
      level: "warn",
      subscriber: "settlement",
      commandId: pending.outbox[0].commandId,
      attempts: 1,
      delayMs: expect.any(Number),
      error: "the aggregate is unreachable (test)",
    });
    expect((await streamEvents("payment", "sp-4")).map((e) => e.type)).toEqual(["PaymentSent"]);

    // The object is evicted with the commands unsent; its alarm brings it back to send them.
    await evictDurableObject(instanceStub("sp-4"));
    const account = await eventually(() => streamEvents("account", "sa-4"), (events) => events.length === 3, "the withdrawal");
    expect(account.map((e) => e.type)).toEqual(["AccountOpened", "Deposited", "Withdrawn"]);
    expect((await streamEvents("payment", "sp-4")).map((e) => e.type)).toEqual(["PaymentSent", "PaymentExpired"]);
    const view = await eventually(() => instance("sp-4"), (v) => v.outbox.length === 0, "the outbox to drain");
    expect(view.rejected).toEqual([]);
    expect(view.decisions.filter((d: any) => d.message.kind === "timer")).toHaveLength(1);
  });

  it("cancels a timer: a confirmed payment's deadline never fires and no alarm is left", async () => {
    const [sent] = (await sendPayment("sa-3", "sp-3", 80, inOneHour())) as [EventEnvelope];
    await delivered(SETTLEMENT, [sent]);
    expect((await instance("sp-3")).timers).toHaveLength(1);

    await runCommand("payment/sp-3/confirm", {});
    const [, confirmed] = captured.streamSentTo(SETTLEMENT, "payment/sp-3");
    await delivered(SETTLEMENT, [confirmed]);
    const view = await instance("sp-3");
    expect(view.timers).toEqual([]);
    expect(view.state).toMatchObject({ status: "confirmed" });
    expect(view.decisions[0]).toMatchObject({ message: { kind: "event", type: "PaymentConfirmed" }, timers: { set: [], cancel: ["confirm-by"] } });
    expect(await runDurableObjectAlarm(instanceStub("sp-3"))).toBe(false);
    expect((await streamEvents("payment", "sp-3")).map((e) => e.type)).toEqual(["PaymentSent", "PaymentConfirmed"]);
  });

  it("replaces a timer set again with the same id", async () => {
    const [sent] = (await sendPayment("sa-6", "sp-6", 80, inOneHour())) as [EventEnvelope];
    await delivered(SETTLEMENT, [sent]);
    // Handed straight to the instance (the settlement itself never sets a timer twice): a later
    // message whose decision sets confirm-by again, for another time.
    const later = { ...sent, version: 2, eventId: `${sent.eventId}-again`, data: { ...(sent.data as object), confirmBy: inOneHour() } };
    expect(await instanceStub("sp-6").receive("settlement", "sp-6", later)).toBe("decided");
    const view = await instance("sp-6");
    expect(view.timers.map((t: { id: string; at: string }) => [t.id, t.at])).toEqual([["confirm-by", later.data.confirmBy]]);
  });
});

describe("an instance's storage", () => {
  const tables = (paymentId: string) =>
    runInDurableObject(instanceStub(paymentId), (_object, state) =>
      state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY name").toArray().map((r) => r.name),
    );

  it("is created by the first decision, with its schema version, and not by a read", async () => {
    expect((await adminGet("/admin/process-managers/settlement/sp-unread")).status).toBe(404);
    expect(await tables("sp-unread")).toEqual([]);

    const [sent] = (await sendPayment("sa-7", "sp-7", 10)) as [EventEnvelope];
    await delivered(SETTLEMENT, [sent]);
    expect(await tables("sp-7")).toEqual(["decisions", "instance", "instance_schema", "outbox", "outcomes", "rejections", "sqlite_sequence", "stream_marks", "timers"]);
    const version = await runInDurableObject(instanceStub("sp-7"), (_object, state) => state.storage.sql.exec<{ version: number }>("SELECT version FROM instance_schema").one().version);
    expect(version).toBe(INSTANCE_SCHEMA_VERSION);
  });
});

describe("an instance written by an earlier edge-cqrs", () => {
  it("migrates its storage when it wakes, keeping its state, and decides on as before", async () => {
    const stub = instanceStub("sp-old");
    // Storage as schema version 1 left it: no table of outcomes.
    await runInDurableObject(stub, (_object, state) => {
      state.storage.sql.exec(INSTANCE_MIGRATIONS[0]!);
      state.storage.sql.exec("CREATE TABLE instance_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)");
      state.storage.sql.exec("INSERT INTO instance_schema (id, version) VALUES (1, 1)");
      state.storage.sql.exec(
        "INSERT INTO instance (id, manager, instance_key, state, messages, updated_at) VALUES (1, 'settlement', 'sp-old', ?, 1, '2026-01-01T00:00:00.000Z')",
        JSON.stringify({ status: "awaiting", accountId: "sa-old", credited: 70 }),
      );
    });
    await evictDurableObject(stub);

    const view = await instance("sp-old");
    expect(view).toMatchObject({ state: { status: "awaiting", accountId: "sa-old", credited: 70 }, messages: 1, outcomes: [] });
    const version = await runInDurableObject(stub, (_object, state) => state.storage.sql.exec<{ version: number }>("SELECT version FROM instance_schema").one().version);
    expect(version).toBe(INSTANCE_SCHEMA_VERSION);
  });
});

describe("GET /admin/process-managers/:name/:key", () => {
  it("answers 404 for a manager that is not stateful or not there, and for an instance that never ran", async () => {
    for (const path of ["/admin/process-managers/crediting/p-1", "/admin/process-managers/nobody/p-1", "/admin/process-managers/settlement/never-ran"]) {
      const response = await adminGet(path);
      expect(response.status).toBe(404);
      expect((await json(response)).error).toBe("not_found");
    }
  });

  it("refuses a malformed key and a caller without the admin token", async () => {
    const bad = await adminGet("/admin/process-managers/settlement/a%20b");
    expect(bad.status).toBe(400);
    expect((await json(bad)).error).toBe("invalid_id");
    expect((await call("/admin/process-managers/settlement/sp-1")).status).toBe(401);
  });

  it("is in the OpenAPI document", async () => {
    const doc = await json(await call("/openapi.json"));
    expect(Object.keys(doc.paths)).toContain("/admin/process-managers/{name}/{key}");
  });
});
