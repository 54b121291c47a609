import { fixtureEnv as env } from "../../fixture/support/worker";
import { beforeAll, describe, expect, it } from "vitest";
import { AggregateClient } from "../../../../src/runtime/aggregate-client";
import type { EventEnvelope } from "../../../../src/runtime/envelope";
import { runCommand } from "../../../support/api-client";
import { CapturedEvents } from "../../../support/captured-events";
import { BALANCES, CREDITING } from "../../fixture/support";
import { deliver, deliverElsewhere } from "../../fixture/support/delivery";
import { loseCheckpoints } from "../../../support/read-model";

// A stateless process manager (the fixture's crediting: a sent payment is deposited into its
// account), fed through the Worker's queue handler.

const captured = new CapturedEvents();

async function accountEvents(id: string): Promise<EventEnvelope[]> {
  const page = await AggregateClient.fromEnv(env).readStream({ aggregate: "account", id, from: 1, limit: 100 });
  return [...(page?.events ?? [])];
}

describe("the crediting process manager, fed through the queue handler", () => {
  let sent: EventEnvelope;

  beforeAll(async () => {
    await captured.install("account/pa-1", "payment/pp-1");
    await runCommand("account/pa-1/open", { owner: "pc" });
    await runCommand("payment/pp-1/send", { accountId: "pa-1", amount: 700 }, { "X-Correlation-Id": "checkout-42" });
    [sent] = captured.streamSentTo(CREDITING, "payment/pp-1") as [EventEnvelope];
    expect(sent.type).toBe("PaymentSent");
  });

  it("credits the account when a payment is sent, with causation, correlation and a deterministic command id", async () => {
    const { acked, ids } = await deliver(CREDITING, [sent]);
    expect(acked).toEqual(ids);

    const events = await accountEvents("pa-1");
    expect(events.map((e) => e.type)).toEqual(["AccountOpened", "Deposited"]);
    expect(events[1]!.data).toEqual({ amount: 700, memo: "payment pp-1" });
    expect(events[1]!.metadata).toMatchObject({
      causationId: sent.eventId,
      correlationId: "checkout-42",
      commandId: `edge-cqrs:pm:crediting:${sent.eventId}:0`,
    });
    // The new event fans out like any other: the views hear of the deposit.
    expect(captured.streamSentTo(BALANCES, "account/pa-1").map((e) => e.type)).toEqual(["AccountOpened", "Deposited"]);
  });

  it("does not credit twice when the same message comes again", async () => {
    const { acked, ids } = await deliver(CREDITING, [sent, sent]);
    expect(acked).toEqual(ids);
    expect((await accountEvents("pa-1")).map((e) => e.type)).toEqual(["AccountOpened", "Deposited"]);
  });

  it("does not credit twice even when the checkpoint was lost after acting (the command id deduplicates)", async () => {
    await loseCheckpoints("crediting");
    const { acked, ids } = await deliverElsewhere(CREDITING, [sent]);
    expect(acked).toEqual(ids);
    expect((await accountEvents("pa-1")).map((e) => e.type)).toEqual(["AccountOpened", "Deposited"]);
    const checkpoint = await env.READ_DB.prepare("SELECT version FROM projection_checkpoints WHERE projection = 'crediting' AND stream_id = 'payment/pp-1'").first();
    expect(checkpoint).toEqual({ version: 1 });
  });

  it("acts on every event in version order when a later one arrives first (gap healed from the payment)", async () => {
    await captured.install("account/pa-3", "payment/pp-3");
    await runCommand("account/pa-3/open", { owner: "pc" });
    await runCommand("payment/pp-3/send", { accountId: "pa-3", amount: 100 });
    await runCommand("payment/pp-3/top-up", { amount: 40 });
    const [paymentSent, toppedUp] = captured.streamSentTo(CREDITING, "payment/pp-3") as [EventEnvelope, EventEnvelope];
    expect([paymentSent.type, toppedUp.type]).toEqual(["PaymentSent", "PaymentToppedUp"]);

    const { acked, ids } = await deliver(CREDITING, [toppedUp]);
    expect(acked).toEqual(ids);
    const events = await accountEvents("pa-3");
    expect(events.map((e) => e.type)).toEqual(["AccountOpened", "Deposited", "Deposited"]);
    expect(events.slice(1).map((e) => e.metadata.causationId)).toEqual([paymentSent.eventId, toppedUp.eventId]);
    expect(events.slice(1).map((e) => e.data)).toEqual([
      { amount: 100, memo: "payment pp-3" },
      { amount: 40, memo: "top-up pp-3" },
    ]);

    await deliver(CREDITING, [paymentSent]);
    expect(await accountEvents("pa-3")).toHaveLength(3);
  });

  it("acks account events on its queue without acting on them", async () => {
    const [opened] = captured.streamSentTo(BALANCES, "account/pa-1");
    const { acked, ids } = await deliver(CREDITING, [opened]);
    expect(acked).toEqual(ids);
    expect(await accountEvents("pa-1")).toHaveLength(2);
  });

  it("acks, without retrying forever, an event whose command the account refuses", async () => {
    await captured.install("account/pa-2", "payment/pp-2");
    await runCommand("account/pa-2/open", { owner: "pc" });
    await runCommand("account/pa-2/close", {});
    await runCommand("payment/pp-2/send", { accountId: "pa-2", amount: 5 });
    const [paymentSent] = captured.streamSentTo(CREDITING, "payment/pp-2");
    const { acked, ids } = await deliver(CREDITING, [paymentSent]);
    expect(acked).toEqual(ids);
    expect((await accountEvents("pa-2")).map((e) => e.type)).toEqual(["AccountOpened", "AccountClosed"]);
  });
});
