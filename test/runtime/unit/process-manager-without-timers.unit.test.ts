import { describe, expect, it } from "vitest";
import { z } from "zod";
import { command, defineProcessManager } from "edge-cqrs";
import { givenProcess } from "edge-cqrs/testing";
import { account } from "../fixture/domain/account";
import { payment } from "../fixture/domain/payment";

// A stateful process manager that keeps state but sets no timers declares no `timer` schema.

const Tally = z.object({ payments: z.number().int() });

const tally = defineProcessManager({
  name: "payment-tally",
  queue: { name: "payment-tally", binding: "PAYMENT_TALLY_QUEUE" },
  from: [payment],
  correlate: (event) => event.data.accountId,
  state: Tally,
  initialState: () => ({ payments: 0 }),
  evolve: (state, message) => (message.type === "PaymentSent" ? { payments: state.payments + 1 } : state),
  decide: (state, message) =>
    message.type === "PaymentSent" && state.payments === 0 ? { commands: [command(account, message.data.accountId, "deposit", { amount: 1 })] } : {},
});

const sent = { type: "PaymentSent", aggregateId: "p-1", data: { accountId: "a-1", amount: 300 } } as const;

describe("a stateful process manager without timers", () => {
  it("is defined and decides without a timer schema", () => {
    givenProcess(tally)
      .when(sent)
      .then({ commands: [command(account, "a-1", "deposit", { amount: 1 })] })
      .thenState({ payments: 1 });
    givenProcess(tally, [sent]).when({ ...sent, aggregateId: "p-2" }).thenNothing().thenState({ payments: 2 });
  });

  it("fails a decision that sets a timer anyway, naming the missing schema", () => {
    const careless = defineProcessManager({
      name: "careless",
      queue: { name: "careless", binding: "CARELESS_QUEUE" },
      from: [payment],
      correlate: (event) => event.data.accountId,
      state: Tally,
      initialState: () => ({ payments: 0 }),
      evolve: (state) => state,
      // Untyped on purpose: the type of a timer-less manager's payload is `never`, so only a cast gets here.
      decide: () => ({ timers: { set: [{ id: "later", at: "2026-01-01T00:00:00Z", payload: {} as never }] } }),
    });
    expect(() => careless.step({ payments: 0 }, { ...sent, eventId: "e-1", streamId: "payment/p-1", aggregate: "payment", version: 1, schemaVersion: 1, metadata: {} } as never)).toThrow(
      "process manager careless: it sets timer later but declares no `timer` schema for their payloads",
    );
  });
});
