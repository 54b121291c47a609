import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AggregateClient } from "../../../../src/runtime/aggregate-client";
import type { CommandRequest } from "../../../../src/runtime/aggregate-protocol";
import type { EventEnvelope } from "../../../../src/runtime/envelope";
import { useCommandSender, type ProcessManagerObjectInstance } from "../../../../src/runtime/process-manager-object";
import { getQuery, runCommand } from "../../../support/api-client";
import { adminGet, json } from "../../../support/http";
import { SeededRandom } from "../../../support/seeded-random";
import { STEPWISE_TRANSFER_PREFIX, TIMED_OUT } from "../../fixture/domain/transfers";
import { STEPWISE_TRANSFERS, TRANSFERS } from "../../fixture/support";
import { deliver, deliverElsewhere } from "../../fixture/support/delivery";
import { fixtureEnv } from "../../fixture/support/worker";
import { eventually } from "../../../support/eventually";

// The fixture's transfers saga (one stateful instance per transfer) on the real local queues,
// Durable Objects and D1: debit the source, credit the target, refund the source when the credit
// is refused, give up when the debit does not land by the deadline. Its steps' outcomes reach its
// decide as messages; these tests check that money is neither lost nor made. They run twice: on
// `transfers` (evolve and decide) and on `stepwiseTransfers` (the same saga as one step), which
// must behave identically, down to its command ids.

/** The saga's two forms, each with the queue it consumes and the prefix of the ids its transfers (and their accounts) take. */
const FORMS = [
  { form: "evolve and decide", manager: "transfers", queue: TRANSFERS, prefix: "" },
  { form: "one step", manager: "stepwise-transfers", queue: STEPWISE_TRANSFERS, prefix: STEPWISE_TRANSFER_PREFIX },
] as const;

const aggregates = AggregateClient.fromEnv(fixtureEnv);
const instances = fixtureEnv.PROCESS_MANAGERS as unknown as DurableObjectNamespace<ProcessManagerObjectInstance>;
/** How the instance sends its commands when no test interferes. */
const realSender = (request: CommandRequest) => aggregates.execute(request);

async function events(aggregate: string, id: string): Promise<EventEnvelope[]> {
  const page = await aggregates.readStream({ aggregate, id, from: 1, limit: 1000 });
  return [...(page?.events ?? [])];
}

/** An account's balance as its own stream folds it: the source of truth. */
async function balanceOf(id: string): Promise<number> {
  const page = await aggregates.readStream({ aggregate: "account", id, from: 1, limit: 1, asOf: Number.MAX_SAFE_INTEGER });
  return page ? (page.state?.value as { balance: number }).balance : 0;
}

/** The instance as the admin route shows it; null before its first message. */
async function instance(manager: string, transferId: string): Promise<Record<string, any> | null> {
  const response = await adminGet(`/admin/process-managers/${manager}/${transferId}`);
  if (response.status === 404) return null;
  expect(response.status).toBe(200);
  return json(response);
}


/** The transfer's events once it is settled (completed or failed). */
const settled = (transferId: string) =>
  eventually(() => events("transfer", transferId), (e) => e.some((x) => x.type === "TransferCompleted" || x.type === "TransferFailed"), `transfer ${transferId} to settle`);

/** The instance once nothing is left to send or decide on. */
const drained = async (manager: string, transferId: string) =>
  (await eventually(() => instance(manager, transferId), (v) => v !== null && v.outbox.length === 0 && v.outcomes.length === 0, `${manager}/${transferId} to drain`))!;

async function openAccount(id: string, deposit: number): Promise<void> {
  await runCommand(`account/${id}/open`, { owner: "saga" });
  if (deposit > 0) await runCommand(`account/${id}/deposit`, { amount: deposit });
}

describe.each(FORMS)("the transfers saga ($form)", ({ manager, prefix }) => {
  /** The test's name for an account or transfer, in this form's id space. */
  const $ = (id: string) => `${prefix}${id}`;
  const instanceStub = (transferId: string) => instances.get(instances.idFromName(`${manager}/${transferId}`));

  it("debits the source, credits the target and completes the transfer", async () => {
    await openAccount($("ts-a1"), 1_000);
    await openAccount($("ts-b1"), 0);
    await runCommand(`transfer/${$("ts-t1")}/request`, { from: $("ts-a1"), to: $("ts-b1"), amount: 250 }, { "X-Correlation-Id": "pay-rent" });
    expect((await settled($("ts-t1"))).map((e) => e.type)).toEqual(["TransferRequested", "TransferCompleted"]);
    expect([await balanceOf($("ts-a1")), await balanceOf($("ts-b1"))]).toEqual([750, 250]);

    const view = await drained(manager, $("ts-t1"));
    expect(view.state).toEqual({ phase: "completed", transferId: $("ts-t1"), from: $("ts-a1"), to: $("ts-b1"), amount: 250, failure: null });
    // One event, then each command's outcome, in the order the commands were sent.
    expect(view.decisions.map((d: any) => [d.message.kind, d.message.command ?? d.message.type]).reverse()).toEqual([
      ["event", "TransferRequested"],
      ["accepted", "debit-for-transfer"],
      ["accepted", "credit-for-transfer"],
      ["accepted", "complete"],
    ]);
    expect(view.messages).toBe(4);
  });

  it("refunds the source when the target refuses the credit, and fails the transfer with the target's reason", async () => {
    await openAccount($("ts-a2"), 1_000);
    // ts-b2 is never opened: its credit is refused (account_not_open).
    await runCommand(`transfer/${$("ts-t2")}/request`, { from: $("ts-a2"), to: $("ts-b2"), amount: 400 }, { "X-Correlation-Id": "pay-nobody" });
    const transfer = await settled($("ts-t2"));
    expect(transfer.map((e) => [e.type, e.data])).toEqual([
      ["TransferRequested", { from: $("ts-a2"), to: $("ts-b2"), amount: 400 }],
      ["TransferFailed", { reason: "account_not_open" }],
    ]);
    const source = await events("account", $("ts-a2"));
    expect(source.map((e) => e.type)).toEqual(["AccountOpened", "Deposited", "TransferDebited", "TransferRefunded"]);
    expect(await balanceOf($("ts-a2"))).toBe(1_000);
    expect(await events("account", $("ts-b2"))).toEqual([]);

    const view = await drained(manager, $("ts-t2"));
    const credit = view.rejected[0];
    expect(view.rejected).toEqual([expect.objectContaining({ aggregate: "account", id: $("ts-b2"), command: "credit-for-transfer", status: 422, reason: "account_not_open" })]);
    expect(view.decisions.map((d: any) => d.message).find((m: any) => m.kind === "rejected")).toEqual({
      kind: "rejected",
      commandId: credit.commandId,
      streamId: `account/${$("ts-b2")}`,
      command: "credit-for-transfer",
      error: "rejected",
      reason: "account_not_open",
    });
    // The refund was caused by the refused credit: its id names the outcome, its causation the credit, its correlation the request's.
    expect(source[3]!.metadata).toMatchObject({
      commandId: `edge-cqrs:pm:${manager}:${$("ts-t2")}:rejected:2:0`,
      causationId: credit.commandId,
      correlationId: "pay-nobody",
      actor: `edge-cqrs:process-manager:${manager}`,
    });
    expect(view.state).toMatchObject({ phase: "failed", failure: "account_not_open" });
  });

  it("fails the transfer without moving money when the source refuses the debit", async () => {
    await openAccount($("ts-a3"), 100);
    await openAccount($("ts-b3"), 0);
    await runCommand(`transfer/${$("ts-t3")}/request`, { from: $("ts-a3"), to: $("ts-b3"), amount: 101 });
    expect((await settled($("ts-t3"))).map((e) => e.data)).toEqual([expect.anything(), { reason: "insufficient_funds" }]);
    expect((await events("account", $("ts-a3"))).map((e) => e.type)).toEqual(["AccountOpened", "Deposited"]);
    expect((await events("account", $("ts-b3"))).map((e) => e.type)).toEqual(["AccountOpened"]);
  });

  it("gives up at the deadline while the debit cannot be sent, and refunds the debit that lands after it", async () => {
    await openAccount($("ts-a4"), 500);
    await openAccount($("ts-b4"), 0);
    // The source's object is unreachable from this instance until the test says otherwise.
    let attempts = 0;
    await runInDurableObject(instanceStub($("ts-t4")), (object) =>
      object[useCommandSender](async () => {
        attempts += 1;
        throw new Error("the source account is unreachable (test)");
      }),
    );
    const deadline = new Date(Date.now() + 1_500).toISOString();
    await runCommand(`transfer/${$("ts-t4")}/request`, { from: $("ts-a4"), to: $("ts-b4"), amount: 200, deadline });
    const expired = (await eventually(() => instance(manager, $("ts-t4")), (v) => v?.state.phase === "expired", "the deadline to pass", 20_000))!;
    expect(attempts).toBeGreaterThan(0);
    expect(expired.outbox.map((c: { command: string }) => c.command)).toEqual(["debit-for-transfer"]);
    expect(expired.timers).toEqual([]);

    // The source is reachable again: the debit lands after the deadline, so it is refunded.
    await runInDurableObject(instanceStub($("ts-t4")), (object) => object[useCommandSender](realSender));
    await runDurableObjectAlarm(instanceStub($("ts-t4")));
    expect((await settled($("ts-t4"))).map((e) => e.data)).toEqual([expect.anything(), { reason: TIMED_OUT }]);
    expect((await events("account", $("ts-a4"))).map((e) => e.type)).toEqual(["AccountOpened", "Deposited", "TransferDebited", "TransferRefunded"]);
    expect([await balanceOf($("ts-a4")), await balanceOf($("ts-b4"))]).toEqual([500, 0]);
  });

  it("applies a debit once when its answer was lost and it was sent again", async () => {
    await openAccount($("ts-a5"), 300);
    await openAccount($("ts-b5"), 0);
    // The first send reaches the source, but its answer never comes back: the instance sends it again.
    let lost = 0;
    await runInDurableObject(instanceStub($("ts-t5")), (object) =>
      object[useCommandSender](async (request) => {
        const outcome = await realSender(request);
        if (request.command === "debit-for-transfer" && lost++ === 0) throw new Error("the answer was lost (test)");
        return outcome;
      }),
    );
    await runCommand(`transfer/${$("ts-t5")}/request`, { from: $("ts-a5"), to: $("ts-b5"), amount: 300 });
    await eventually(async () => lost, (n) => n >= 1, "the lost answer");
    await runDurableObjectAlarm(instanceStub($("ts-t5")));
    expect((await settled($("ts-t5"))).map((e) => e.type)).toEqual(["TransferRequested", "TransferCompleted"]);
    expect((await events("account", $("ts-a5"))).map((e) => e.type)).toEqual(["AccountOpened", "Deposited", "TransferDebited"]);
    expect([await balanceOf($("ts-a5")), await balanceOf($("ts-b5"))]).toEqual([0, 300]);
    const view = await drained(manager, $("ts-t5"));
    expect(view.decisions.filter((d: any) => d.message.kind === "accepted" && d.message.command === "debit-for-transfer")).toHaveLength(1);
  });
});

describe.each(FORMS)("the transfers saga ($form) under concurrent traffic and duplicated deliveries", ({ manager, queue, prefix }) => {
  const $ = (id: string) => `${prefix}${id}`;

  it("conserves money: every transfer settles, each debit is matched by one credit or one refund", async () => {
    const random = new SeededRandom(19);
    const funded = [$("mc-a0"), $("mc-a1"), $("mc-a2"), $("mc-a3"), $("mc-a4")];
    for (const id of funded) await openAccount(id, 1_000);
    // A closed account refuses credits and debits; a never-opened one too.
    await openAccount($("mc-closed"), 0);
    await runCommand(`account/${$("mc-closed")}/close`, {});
    const everyone = [...funded, $("mc-closed"), $("mc-ghost")];
    const total = funded.length * 1_000;

    const planned = Array.from({ length: 40 }, (_, n) => {
      const from = everyone[random.int(0, everyone.length - 1)]!;
      const others = everyone.filter((id) => id !== from);
      return { id: $(`mc-t${n}`), from, to: others[random.int(0, others.length - 1)]!, amount: random.int(1, 700) };
    });
    await Promise.all(
      planned.map(async ({ id, from, to, amount }, n) => {
        await runCommand(`transfer/${id}/request`, { from, to, amount });
        // Besides the queue's own delivery: the same event again, racing it, here and in another isolate.
        const [requested] = await events("transfer", id);
        await deliver(queue, [requested, requested]);
        if (n % 3 === 0) await deliverElsewhere(queue, [requested]);
      }),
    );

    const outcomes = await Promise.all(planned.map(async (t) => ({ ...t, settlement: (await settled(t.id)).at(-1)! })));
    const accountEvents = new Map(await Promise.all(everyone.map(async (id) => [id, await events("account", id)] as const)));
    const stepsOf = (transferId: string, type: string) => [...accountEvents.values()].flat().filter((e) => e.type === type && (e.data as { transferId: string }).transferId === transferId);

    for (const { id, from, to, amount, settlement } of outcomes) {
      const [debits, credits, refunds] = [stepsOf(id, "TransferDebited"), stepsOf(id, "TransferCredited"), stepsOf(id, "TransferRefunded")];
      if (settlement.type === "TransferCompleted") {
        expect([debits.map((e) => e.aggregateId), credits.map((e) => e.aggregateId), refunds], id).toEqual([[from], [to], []]);
      } else {
        expect(credits, id).toEqual([]);
        expect(refunds.length, id).toBe(debits.length);
        expect(debits.every((e) => e.aggregateId === from && (e.data as { amount: number }).amount === amount), id).toBe(true);
      }
    }
    const completed = outcomes.filter((t) => t.settlement.type === "TransferCompleted").length;
    const refunded = outcomes.filter((t) => stepsOf(t.id, "TransferRefunded").length > 0).length;
    // The seed makes every path happen: completions, refused debits, refused credits refunded.
    expect(completed).toBeGreaterThan(5);
    expect(refunded).toBeGreaterThan(2);
    expect(outcomes.length - completed - refunded).toBeGreaterThan(2);

    const balances = await Promise.all(everyone.map(balanceOf));
    expect(balances.reduce((sum, b) => sum + b, 0)).toBe(total);
    expect(balances.every((b) => b >= 0)).toBe(true);
    // The balances view reaches the same figures once the queues have delivered every step.
    for (const [n, id] of everyone.slice(0, -1).entries()) {
      await eventually(() => getQuery(`/accounts/${id}`).then((r) => json(r)), (view) => view.balance === balances[n], `the balances view of ${id}`);
    }
    // Every instance ends with nothing left to send or decide on.
    for (const { id } of planned) expect((await drained(manager, id)).state.phase).toMatch(/^(completed|failed)$/);
  });
});
