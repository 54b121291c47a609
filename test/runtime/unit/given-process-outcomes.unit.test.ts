import { describe, expect, it } from "vitest";
import { command } from "edge-cqrs";
import { givenProcess } from "edge-cqrs/testing";
import { account } from "../fixture/domain/account";
import { settlement } from "../fixture/domain/settlement";
import { transfer } from "../fixture/domain/transfer";
import { DEADLINE_TIMER, TIMED_OUT, transfers } from "../fixture/domain/transfers";

// The kit feeding a saga the outcomes of its own commands, on the fixture's transfers manager:
// refusals and acceptances arrive as messages, and compensation is a decide branch.

const DEADLINE = "2026-01-01T10:00:00.000Z";
const requested = { type: "TransferRequested", aggregateId: "t-1", data: { from: "a-1", to: "a-2", amount: 500, deadline: DEADLINE } } as const;
const debit = command(account, "a-1", "debit-for-transfer", { transferId: "t-1", amount: 500 });
const credit = command(account, "a-2", "credit-for-transfer", { transferId: "t-1", amount: 500 });
const refund = command(account, "a-1", "refund-transfer", { transferId: "t-1", amount: 500 });
const progress = { transferId: "t-1", from: "a-1", to: "a-2", amount: 500 };

describe("givenProcess: outcomes of the instance's own commands", () => {
  it("feeds an acceptance: the debit landed, so the credit goes and the deadline is cancelled", () => {
    givenProcess(transfers, [requested])
      .when({ type: "accepted", command: debit, events: ["TransferDebited"], version: 2 })
      .then({ commands: [credit], timers: { cancel: [DEADLINE_TIMER] } })
      .thenState({ phase: "crediting", ...progress, failure: null })
      .thenTimers([]);
  });

  it("feeds a rejection with its reason: a refused credit is compensated by a refund of the source", () => {
    givenProcess(transfers, [requested, { type: "accepted", command: debit }])
      .when({ type: "rejected", command: credit, reason: "account_not_open" })
      .then({ commands: [refund] })
      .thenState({ phase: "refunding", ...progress, failure: "account_not_open" });
    givenProcess(transfers, [requested, { type: "accepted", command: debit }, { type: "rejected", command: credit, reason: "account_not_open" }])
      .when({ type: "accepted", command: refund })
      .then({ commands: [command(transfer, "t-1", "fail", { reason: "account_not_open" })] })
      .thenState({ phase: "failed", ...progress, failure: "account_not_open" });
  });

  it("feeds a refusal by the runtime rather than the aggregate's rules, as its error code", () => {
    givenProcess(transfers, [requested])
      .when({ type: "rejected", command: debit, error: "invalid_command" })
      .then({ commands: [command(transfer, "t-1", "fail", { reason: "invalid_command" })], timers: { cancel: [DEADLINE_TIMER] } });
  });

  it("interleaves a timer with outcomes: a debit that lands after the deadline is refunded", () => {
    givenProcess(transfers, [requested, { type: "timer", id: DEADLINE_TIMER }])
      .when({ type: "accepted", command: debit })
      .then({ commands: [refund] })
      .thenState({ phase: "refunding", ...progress, failure: TIMED_OUT });
  });

  it("refuses an outcome of a command the instance did not send, or already has the outcome of", () => {
    expect(() => givenProcess(transfers, [requested]).when({ type: "rejected", command: credit, reason: "account_not_open" })).toThrow(
      /sent no command .*credit-for-transfer.* that awaits an outcome \(awaiting: .*debit-for-transfer/,
    );
    expect(() => givenProcess(transfers, [requested, { type: "accepted", command: debit }]).when({ type: "rejected", command: debit, reason: "insufficient_funds" })).toThrow(
      /awaits an outcome/,
    );
  });

  it("refuses an outcome the manager did not ask for: the runtime would not deliver it", () => {
    const sent = { type: "PaymentSent", aggregateId: "p-1", data: { accountId: "a-1", amount: 300, confirmBy: DEADLINE } } as const;
    const refusedWithdrawal = { type: "rejected", command: command(account, "a-1", "withdraw", { amount: 300 }), reason: "insufficient_funds" };
    expect(() => givenProcess(settlement, [sent, { type: "timer", id: "confirm-by" }]).when(refusedWithdrawal as never)).toThrow(
      /settlement does not receive rejected outcomes: declare outcomes: \["rejected"\]/,
    );
  });
});

describe("givenProcess: events that correlate to no instance", () => {
  const completed = { type: "TransferCompleted", aggregateId: "t-1", data: {} } as const;

  it("refuses to feed one to decide, in the history or as the message: the runtime never delivers it", () => {
    expect(() => givenProcess(transfers, [requested]).when(completed)).toThrow(/TransferCompleted of transfer\/t-1 correlates to no instance \(transfers's correlate returned undefined\)/);
    expect(() => givenProcess(transfers, [requested, completed])).toThrow(/correlates to no instance/);
    expect(transfers.correlate({ ...completed, eventId: "e-1", streamId: "transfer/t-1", aggregate: "transfer", version: 2, schemaVersion: 1, metadata: {} as never })).toBeUndefined();
  });
});
