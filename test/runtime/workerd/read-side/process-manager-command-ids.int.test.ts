import { fixtureEnv as env } from "../../fixture/support/worker";
import { describe, expect, it } from "vitest";
import { AggregateClient } from "../../../../src/runtime/aggregate-client";
import { postCommand, runCommand } from "../../../support/api-client";
import { CapturedEvents } from "../../../support/captured-events";
import { json } from "../../../support/http";
import { CREDITING } from "../../fixture/support";
import { deliver } from "../../fixture/support/delivery";

// A process manager's command ids derive from the causing event's id, and a command response
// shows that id to every client. If a client could send the same id as its Idempotency-Key before
// the manager acts, the manager's command would answer idempotency_key_reuse and never run.

const captured = new CapturedEvents();

async function accountEventTypes(id: string): Promise<string[]> {
  const page = await AggregateClient.fromEnv(env).readStream({ aggregate: "account", id, from: 1, limit: 100 });
  return (page?.events ?? []).map((e) => e.type);
}

describe("a client racing the crediting manager for its command id", () => {
  it("is refused the manager's id, and the account is still credited for the payment", async () => {
    await captured.install("account/race-1", "payment/race-p1");
    await runCommand("account/race-1/open", { owner: "rc" });
    const sent = await runCommand("payment/race-p1/send", { accountId: "race-1", amount: 10 });
    const eventId = sent.events[0]!.eventId;

    // The id the manager will use, as a client can work it out from the response it just got.
    const managerId = `edge-cqrs:pm:crediting:${eventId}:0`;
    const taken = await postCommand("account/race-1/deposit", { amount: 5 }, { "Idempotency-Key": managerId });
    expect(taken.status).toBe(400);
    expect(await json(taken)).toMatchObject({ error: "invalid_header", message: expect.stringContaining("edge-cqrs:") });
    // The id the manager used before ids were namespaced is an ordinary client key now.
    const legacyId = `crediting:${eventId}:0`;
    expect((await postCommand("account/race-1/deposit", { amount: 5 }, { "Idempotency-Key": legacyId })).status).toBe(200);

    const [paymentSent] = captured.streamSentTo(CREDITING, "payment/race-p1");
    expect(paymentSent?.eventId).toBe(eventId);
    const { acked, ids } = await deliver(CREDITING, [paymentSent]);
    expect(acked).toEqual(ids);
    expect(await accountEventTypes("race-1")).toEqual(["AccountOpened", "Deposited", "Deposited"]);
    const credited = (await AggregateClient.fromEnv(env).readStream({ aggregate: "account", id: "race-1", from: 3, limit: 1 }))!.events[0]!;
    expect(credited.metadata.commandId).toBe(managerId);
    expect(credited.data).toEqual({ amount: 10, memo: "payment race-p1" });
  });
});
