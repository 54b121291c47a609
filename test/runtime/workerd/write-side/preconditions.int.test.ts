import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AggregateClient } from "../../../../src/runtime/aggregate-client";
import type { EventEnvelope } from "../../../../src/runtime/envelope";
import { postCommand, runCommand } from "../../../support/api-client";
import { CapturedEvents } from "../../../support/captured-events";
import { adminGet, json, readStream, storedRows } from "../../../support/http";
import { LogLines } from "../../../support/log-lines";
import { SETTLEMENT } from "../../fixture/support";
import { deliver } from "../../fixture/support/delivery";
import { fixtureEnv } from "../../fixture/support/worker";
import { eventually } from "../../../support/eventually";

// Preconditions that read other aggregates: the fixture's `account.withdraw` reads `hold/<accountId>`
// from the hold's own object, in the command's turn, whoever sends the command.

const client = () => AggregateClient.fromEnv(fixtureEnv);
const logs = new LogLines();
beforeEach(() => logs.install());
afterEach(() => logs.restore());

async function fundedAccount(id: string, amount = 100): Promise<void> {
  await runCommand(`account/${id}/open`, { owner: "pre" });
  await runCommand(`account/${id}/deposit`, { amount });
}


describe("a precondition over another aggregate's state", () => {
  it("refuses over HTTP with 422 rejected and the check's reason, and stores nothing", async () => {
    await fundedAccount("pre-1");
    await runCommand("hold/pre-1/impose", { reason: "fraud review" });
    const before = await storedRows("account", "pre-1");

    const response = await postCommand("account/pre-1/withdraw", { amount: 10 }, { "Idempotency-Key": "pre-1-withdraw" });
    expect(response.status).toBe(422);
    expect(await json(response)).toEqual({ error: "rejected", reason: "account_on_hold", message: "The account is on hold: fraud review" });
    expect(await storedRows("account", "pre-1")).toEqual(before);
    expect((await readStream("account", "pre-1")).body.version).toBe(2);
  });

  it("behaves as a decide rejection for idempotency: the same key runs again once the hold is lifted", async () => {
    await fundedAccount("pre-2");
    await runCommand("hold/pre-2/impose", { reason: "review" });
    expect((await postCommand("account/pre-2/withdraw", { amount: 10 }, { "Idempotency-Key": "pre-2-withdraw" })).status).toBe(422);
    await runCommand("hold/pre-2/lift");

    const accepted = await runCommand("account/pre-2/withdraw", { amount: 10 }, { "Idempotency-Key": "pre-2-withdraw" });
    expect(accepted.version).toBe(3);
    // Now recorded: a replay answers from the command log, even with the hold imposed again.
    await runCommand("hold/pre-2/impose", { reason: "again" });
    const replay = await postCommand("account/pre-2/withdraw", { amount: 10 }, { "Idempotency-Key": "pre-2-withdraw" });
    expect(replay.status).toBe(200);
    expect(await json(replay)).toEqual(accepted);
  });

  it("reads a never-written aggregate as its initial state, and reading it writes nothing", async () => {
    await fundedAccount("pre-3");
    expect(await client().readState({ aggregate: "hold", id: "pre-3" })).toEqual({ streamId: "hold/pre-3", version: 0, state: { status: "none", reason: null } });

    const withdrawn = await runCommand("account/pre-3/withdraw", { amount: 30 });
    expect(withdrawn.version).toBe(3);
    expect(await storedRows("hold", "pre-3")).toEqual({ streams: 0, events: 0, commands: 0 });
  });

  it("refuses a command sent over RPC as a value, like a decide rejection", async () => {
    await fundedAccount("pre-4");
    await runCommand("hold/pre-4/impose", { reason: "court order" });
    const outcome = await client().execute({ aggregate: "account", id: "pre-4", command: "withdraw", payload: { amount: 5 }, commandId: "pre-4-rpc" });
    expect(outcome).toEqual({ ok: false, status: 422, body: { error: "rejected", reason: "account_on_hold", message: "The account is on hold: court order" } });
  });

  it("refuses a command a process manager sends, recorded as its rejected command", async () => {
    const captured = new CapturedEvents();
    await captured.install("payment/pre-p5");
    await fundedAccount("pre-5", 50);
    await runCommand("hold/pre-5/impose", { reason: "dispute" });
    // A deadline already past: the settlement expires the payment and withdraws what was credited.
    await runCommand("payment/pre-p5/send", { accountId: "pre-5", amount: 40, confirmBy: new Date(Date.now() - 1_000).toISOString() });
    const [sent] = captured.streamSentTo(SETTLEMENT, "payment/pre-p5") as [EventEnvelope];
    const { acked, ids } = await deliver(SETTLEMENT, [sent]);
    expect(acked).toEqual(ids);

    const view = await eventually(
      async () => json(await adminGet("/admin/process-managers/settlement/pre-p5")),
      (v) => v.rejected?.length > 0 && v.outbox.length === 0,
      "the refusal",
    );
    expect(view.rejected).toEqual([
      expect.objectContaining({ aggregate: "account", id: "pre-5", command: "withdraw", status: 422, error: "rejected", reason: "account_on_hold" }),
    ]);
    expect((await readStream("account", "pre-5")).body.version).toBe(2);
  });
});
