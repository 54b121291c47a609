import { describe, expect, it } from "vitest";
import { z } from "zod";
import { command, defineProcessManager } from "edge-cqrs";
import type { AnyProcessMessage } from "../../../src/runtime/process-manager";
import { givenProcess } from "edge-cqrs/testing";
import { account } from "../fixture/domain/account";
import { payment } from "../fixture/domain/payment";
import { stepwiseTransfers } from "../fixture/domain/stepwise-transfers";
import { transfer } from "../fixture/domain/transfer";
import { DEADLINE_TIMER, STEPWISE_TRANSFER_PREFIX, TIMED_OUT, TransferProgress, transfers } from "../fixture/domain/transfers";

// A stateful manager written as one step(state, message) → { state, commands, timers }: the kit
// runs it as it runs evolve and decide, and it decides exactly as the same manager in that form.

const DEADLINE = "2026-01-01T10:00:00.000Z";

/** The fixture's saga in both forms, each with a transfer of its own. */
const FORMS = [
  { form: "evolve and decide", manager: transfers, transferId: "t-1" },
  { form: "one step", manager: stepwiseTransfers, transferId: `${STEPWISE_TRANSFER_PREFIX}t-1` },
] as const;

describe.each(FORMS)("givenProcess on the transfers saga ($form)", ({ manager, transferId }) => {
  const requested = { type: "TransferRequested", aggregateId: transferId, data: { from: "a-1", to: "a-2", amount: 500, deadline: DEADLINE } } as const;
  const debit = command(account, "a-1", "debit-for-transfer", { transferId, amount: 500 });
  const credit = command(account, "a-2", "credit-for-transfer", { transferId, amount: 500 });
  const refund = command(account, "a-1", "refund-transfer", { transferId, amount: 500 });
  const progress = { transferId, from: "a-1", to: "a-2", amount: 500 };

  it("debits the source and sets the deadline on the request", () => {
    givenProcess(manager)
      .when(requested)
      .then({ commands: [debit], timers: { set: [{ id: DEADLINE_TIMER, at: DEADLINE, payload: {} }] } })
      .thenState({ phase: "debiting", ...progress, failure: null })
      .thenTimers([{ id: DEADLINE_TIMER, at: DEADLINE, payload: {} }]);
  });

  it("credits the target once the debit is accepted, and completes once the credit is", () => {
    givenProcess(manager, [requested])
      .when({ type: "accepted", command: debit, events: ["TransferDebited"], version: 2 })
      .then({ commands: [credit], timers: { cancel: [DEADLINE_TIMER] } })
      .thenState({ phase: "crediting", ...progress, failure: null })
      .thenTimers([]);
    givenProcess(manager, [requested, { type: "accepted", command: debit }])
      .when({ type: "accepted", command: credit })
      .then({ commands: [command(transfer, transferId, "complete", {})] })
      .thenState({ phase: "completed", ...progress, failure: null });
  });

  it("refunds the source when the credit is refused, then fails the transfer with the credit's reason", () => {
    const history = [requested, { type: "accepted", command: debit }] as const;
    givenProcess(manager, history)
      .when({ type: "rejected", command: credit, reason: "account_not_open" })
      .then({ commands: [refund] })
      .thenState({ phase: "refunding", ...progress, failure: "account_not_open" });
    givenProcess(manager, [...history, { type: "rejected", command: credit, reason: "account_not_open" }])
      .when({ type: "accepted", command: refund })
      .then({ commands: [command(transfer, transferId, "fail", { reason: "account_not_open" })] })
      .thenState({ phase: "failed", ...progress, failure: "account_not_open" });
  });

  it("fails the transfer with the runtime's code when the debit could not run", () => {
    givenProcess(manager, [requested])
      .when({ type: "rejected", command: debit, error: "invalid_command" })
      .then({ commands: [command(transfer, transferId, "fail", { reason: "invalid_command" })], timers: { cancel: [DEADLINE_TIMER] } })
      .thenState({ phase: "failed", ...progress, failure: "invalid_command" });
  });

  it("sends nothing at the deadline, and refunds a debit that lands after it", () => {
    givenProcess(manager, [requested])
      .when({ type: "timer", id: DEADLINE_TIMER })
      .thenNothing()
      .thenState({ phase: "expired", ...progress, failure: TIMED_OUT })
      .thenTimers([]);
    givenProcess(manager, [requested, { type: "timer", id: DEADLINE_TIMER }])
      .when({ type: "accepted", command: debit })
      .then({ commands: [refund] })
      .thenState({ phase: "refunding", ...progress, failure: TIMED_OUT });
  });

  it("numbers its commands' ids as the runtime does, so an outcome answers the command it names", () => {
    expect(() => givenProcess(manager, [requested]).when({ type: "accepted", command: credit })).toThrow(/awaits an outcome/);
  });
});

describe("the two forms of the transfers saga", () => {
  const phases = TransferProgress.shape.phase.options;
  const sent = (name: string, type: "accepted" | "rejected") => {
    const answered = { aggregate: name.startsWith("account") ? "account" : "transfer", id: "a-1", command: name.split(".")[1]!, payload: {}, commandId: "c-1" };
    const at = "2026-01-01T09:00:00.000Z";
    return type === "accepted"
      ? { type, command: answered, streamId: "account/a-1", version: 2, events: [], at }
      : { type, command: answered, error: "rejected", reason: "some_reason", message: "refused", at };
  };
  const commands = ["account.debit-for-transfer", "account.credit-for-transfer", "account.refund-transfer", "transfer.complete", "transfer.fail"];
  const messages: AnyProcessMessage[] = [
    {
      eventId: "e-1",
      streamId: "transfer/t-1",
      aggregate: "transfer",
      aggregateId: "t-1",
      version: 1,
      type: "TransferRequested",
      schemaVersion: 1,
      data: { from: "a-1", to: "a-2", amount: 500, deadline: DEADLINE },
      metadata: { commandId: "c", correlationId: "c", causationId: "c", recordedAt: "2026-01-01T09:00:00.000Z" },
    },
    { type: "timer", id: DEADLINE_TIMER, at: DEADLINE, payload: {} },
    ...commands.flatMap((name) => [sent(name, "accepted"), sent(name, "rejected")] as AnyProcessMessage[]),
  ];

  it("step to the same state with the same decision from every phase on every message", () => {
    for (const phase of phases) {
      for (const failure of [null, "account_not_open"]) {
        const state = { phase, transferId: "t-1", from: "a-1", to: "a-2", amount: 500, failure };
        for (const message of messages) {
          expect(stepwiseTransfers.step(state, message), `${phase} ${failure} ${JSON.stringify(message).slice(0, 80)}`).toEqual(transfers.step(state, message));
        }
      }
    }
  });
});

/** A manager that remembers what it sent: the reason `step` exists. */
const Reminders = z.object({ sent: z.array(z.string()), refused: z.number().int() });
const queue = { name: "reminders", binding: "REMINDERS_QUEUE" };
const reminders = defineProcessManager({
  name: "reminders",
  queue,
  from: [payment],
  correlate: (event) => event.aggregateId,
  state: Reminders,
  timer: z.object({ amount: z.number().int() }),
  outcomes: ["rejected"],
  initialState: () => ({ sent: [], refused: 0 }),
  step: (state, message) => {
    switch (message.type) {
      case "PaymentSent": {
        // Deposit once per account: what was sent is in the state, decided in one place.
        if (state.sent.includes(message.data.accountId)) return { state };
        const deposit = command(account, message.data.accountId, "deposit", { amount: 1 });
        const confirmBy = message.data.confirmBy;
        return {
          state: { ...state, sent: [...state.sent, message.data.accountId] },
          commands: [deposit],
          ...(confirmBy !== undefined && { timers: { set: [{ id: "confirm-by", at: confirmBy, payload: { amount: message.data.amount } }] } }),
        };
      }
      case "timer":
        return { state, commands: [command(account, state.sent[0] ?? "a-0", "withdraw", { amount: message.payload.amount })] };
      case "rejected":
        return { state: { ...state, refused: state.refused + 1 } };
      case "PaymentToppedUp":
      case "PaymentConfirmed":
      case "PaymentExpired":
        return { state };
      default: {
        // Every message of the union is handled: events, the timer and the outcome asked for.
        const unhandled: never = message;
        throw new Error(`reminders: unhandled ${JSON.stringify(unhandled)}`);
      }
    }
  },
});

describe("givenProcess on a manager written as one step", () => {
  const sentPayment = { type: "PaymentSent", aggregateId: "p-1", data: { accountId: "a-1", amount: 300, confirmBy: DEADLINE } } as const;
  const deposit = command(account, "a-1", "deposit", { amount: 1 });

  it("keeps what it sent in the state it returns, and sets the timers it returns", () => {
    givenProcess(reminders)
      .when(sentPayment)
      .then({ commands: [deposit], timers: { set: [{ id: "confirm-by", at: DEADLINE, payload: { amount: 300 } }] } })
      .thenState({ sent: ["a-1"], refused: 0 })
      .thenTimers([{ id: "confirm-by", at: DEADLINE, payload: { amount: 300 } }]);
    givenProcess(reminders, [sentPayment]).when(sentPayment).thenNothing().thenState({ sent: ["a-1"], refused: 0 });
  });

  it("receives its timers and the outcomes it asked for", () => {
    givenProcess(reminders, [sentPayment])
      .when({ type: "timer", id: "confirm-by" })
      .then({ commands: [command(account, "a-1", "withdraw", { amount: 300 })] })
      .thenTimers([]);
    givenProcess(reminders, [sentPayment]).when({ type: "rejected", command: deposit, reason: "account_closed" }).thenNothing().thenState({ sent: ["a-1"], refused: 1 });
  });

  it("checks the state it returns against the schema, and its timers as a decision's", () => {
    const base = { name: "sloppy", queue, from: [payment], correlate: () => "p-1", state: Reminders, initialState: () => ({ sent: [], refused: 0 }) };
    const badState = defineProcessManager({ ...base, step: () => ({ state: { sent: "all" } as unknown as z.output<typeof Reminders> }) });
    expect(() => givenProcess(badState).when(sentPayment)).toThrow(/process manager sloppy: state fails its schema/);
    const badTimer = defineProcessManager({ ...base, step: (state) => ({ state, timers: { set: [{ id: "later", at: DEADLINE, payload: {} as never }] } }) });
    expect(() => givenProcess(badTimer).when(sentPayment)).toThrow(/process manager sloppy: it sets timer later but declares no `timer` schema/);
  });
});

describe("defining a stateful manager: one form or the other", () => {
  const base = { name: "either", queue, from: [payment], correlate: () => "p-1", state: z.object({}), initialState: () => ({}) };
  const step = (state: object) => ({ state });

  it("refuses step beside evolve or decide, at the type and when the Worker loads", () => {
    // @ts-expect-error: step and evolve/decide together
    expect(() => defineProcessManager({ ...base, step, evolve: (state) => state, decide: () => ({}) })).toThrow(
      "process manager either: write it with `step` or with `evolve` and `decide`, not both",
    );
    // @ts-expect-error: step and decide together
    expect(() => defineProcessManager({ ...base, step, decide: () => ({}) })).toThrow(/not both/);
  });

  it("refuses a manager with neither form, or half of the pair, when the Worker loads", () => {
    expect(() => defineProcessManager({ ...base, evolve: (state: object) => state } as never)).toThrow(
      "process manager either: a stateful manager needs `evolve` and `decide`, or one `step`",
    );
  });

  it("refuses step on a stateless manager", () => {
    // @ts-expect-error: a stateless manager has no step
    expect(() => defineProcessManager({ name: "mixed", queue, from: [payment], handlers: {}, step })).toThrow(
      "process manager mixed: it is stateless (handlers) or stateful (evolve and decide, or step), not both",
    );
  });
});
