import { describe, expect, it } from "vitest";
import { command } from "edge-cqrs";
import { givenProcess } from "edge-cqrs/testing";
import { account } from "../fixture/domain/account";
import { payment } from "../fixture/domain/payment";
import { CONFIRM_BY_TIMER, settlement } from "../fixture/domain/settlement";

// The process-manager kit itself, on the fixture's settlement: what it checks, and how it fails.

const sent = { type: "PaymentSent", aggregateId: "p-1", data: { accountId: "a-1", amount: 300, confirmBy: "2026-01-01T10:00:00Z" } } as const;
const toppedUp = { type: "PaymentToppedUp", aggregateId: "p-1", data: { accountId: "a-1", amount: 20 } } as const;
const deadline = { id: CONFIRM_BY_TIMER, at: "2026-01-01T10:00:00.000Z", payload: { paymentId: "p-1", accountId: "a-1" } };

describe("givenProcess", () => {
  it("fires a pending timer by id, with the time and payload it was set with", () => {
    givenProcess(settlement, [sent, toppedUp])
      .when({ type: "timer", id: CONFIRM_BY_TIMER })
      .then({ commands: [command(payment, "p-1", "expire", {}), command(account, "a-1", "withdraw", { amount: 320 })] })
      .thenState({ status: "expired", accountId: "a-1", credited: 320 })
      .thenTimers([]);
  });

  it("keeps the timers the history set pending, and compares times as instants", () => {
    givenProcess(settlement, [sent]).when(toppedUp).thenNothing().thenTimers([deadline]);
  });

  it("refuses to fire a timer that is not pending", () => {
    expect(() => givenProcess(settlement, [sent, { type: "PaymentConfirmed", aggregateId: "p-1", data: {} }]).when({ type: "timer", id: CONFIRM_BY_TIMER })).toThrow(
      /no timer confirm-by is pending/,
    );
  });

  it("fails with both decisions when they differ", () => {
    expect(() => givenProcess(settlement).when(sent).thenNothing()).toThrow(/decision differs/);
    expect(() => givenProcess(settlement).when(sent).thenState({ status: "none", accountId: null, credited: 0 })).toThrow(/state differs/);
  });

  it("parses events with their schema and keeps to one instance", () => {
    expect(() => givenProcess(settlement).when({ type: "PaymentSent", aggregateId: "p-1", data: { accountId: "a-1", amount: "300" as unknown as number } })).toThrow(
      /invalid test event PaymentSent/,
    );
    expect(() => givenProcess(settlement, [sent]).when({ ...toppedUp, aggregateId: "p-2" })).toThrow(/correlates to instance p-2/);
  });

  it("refuses a decision whose timer is not at an instant", () => {
    expect(() => givenProcess(settlement).when({ ...sent, data: { ...sent.data, confirmBy: "tomorrow" } })).toThrow(/not an ISO-8601 instant/);
  });
});
