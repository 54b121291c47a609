import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineAggregate, refuse, type AggregateDefinition } from "edge-cqrs";
import { given, TEST_AGGREGATE_ID } from "edge-cqrs/testing";
import { handleCommand, relatedReadsOf } from "../../../src/runtime/aggregate-object/command-handler";
import type { CommandRequest } from "../../../src/runtime/aggregate-protocol";
import { account } from "../fixture/domain/account";
import { hold } from "../fixture/domain/hold";

// Preconditions without workerd: the definition, which streams a command reads, the pure check in
// the command pipeline, and the decider kit running the same checks over the states a test supplies.

const opened = { type: "AccountOpened" as const, data: { owner: "o", labels: [], openedAt: "2026-01-01T00:00:00.000Z" } };
const deposited = { type: "Deposited" as const, data: { amount: 100, memo: null } };
const imposed = { type: "HoldImposed" as const, data: { reason: "review", imposedAt: "2026-01-01T00:00:00.000Z" } };
const lifted = { type: "HoldLifted" as const, data: { liftedAt: "2026-01-02T00:00:00.000Z" } };

/** An aggregate whose `transfer` reads another instance of itself, and its own stream when the target is itself. */
const walletCommands = { freeze: z.object({}), transfer: z.object({ to: z.string() }) };
const walletEvents = { Frozen: z.object({}), Transferred: z.object({ to: z.string() }) };
// Naming itself, its type must be written out: TypeScript cannot infer a definition from itself.
const wallet: AggregateDefinition<"wallet", { frozen: boolean }, typeof walletCommands, typeof walletEvents> = defineAggregate({
  name: "wallet",
  commands: walletCommands,
  events: walletEvents,
  initialState: (): { frozen: boolean } => ({ frozen: false }),
  decide: (command) => (command.type === "freeze" ? [{ type: "Frozen", data: {} }] : [{ type: "Transferred", data: command.data }]),
  evolve: (state, event) => (event.type === "Frozen" ? { frozen: true } : state),
  preconditions: {
    // The aggregate names itself: preconditions are built on first use, after the definition exists.
    transfer: (rule) => [rule(wallet, { id: (command) => command.data.to, check: (to) => (to.frozen ? refuse("target_frozen") : undefined) })],
  },
});

function request(aggregate: string, id: string, command: string, payload: unknown): CommandRequest {
  return { aggregate, id, command, payload, commandId: `cmd-${id}-${command}` };
}

describe("defining preconditions", () => {
  it("refuses a precondition on a command the aggregate does not have", () => {
    expect(() =>
      defineAggregate({
        name: "thing",
        commands: { make: z.object({}) },
        events: { Made: z.object({}) },
        initialState: () => ({}),
        decide: () => [],
        evolve: (s) => s,
        preconditions: { unmake: () => [] } as never,
      }),
    ).toThrow(/preconditions name command "unmake"/);
  });

  it("names the other streams a command reads, each once, and never its own", () => {
    expect(relatedReadsOf(account, request("account", "a-1", "withdraw", { amount: 5 }))).toEqual([{ aggregate: "hold", id: "a-1" }]);
    expect(relatedReadsOf(account, request("account", "a-1", "deposit", { amount: 5 }))).toEqual([]);
    // An invalid payload reads nothing: the handler refuses it as invalid_command.
    expect(relatedReadsOf(account, request("account", "a-1", "withdraw", { amount: -5 }))).toEqual([]);
    expect(relatedReadsOf(wallet, request("wallet", "w-1", "transfer", { to: "w-2" }))).toEqual([{ aggregate: "wallet", id: "w-2" }]);
    expect(relatedReadsOf(wallet, request("wallet", "w-1", "transfer", { to: "w-1" }))).toEqual([]);
  });
});

describe("the command pipeline with preconditions", () => {
  const base = { requestHash: "h", previous: undefined, now: "2026-01-01T00:00:00.000Z", newId: () => "e-1" };
  const walletStream = (id: string, frozen: boolean) => ({ aggregate: wallet, streamId: `wallet/${id}`, aggregateId: id, version: frozen ? 1 : 0, state: { frozen } });

  it("rejects with the check's reason before decide, as a decide rejection would", () => {
    const decision = handleCommand({
      ...base,
      aggregate: wallet,
      stream: walletStream("w-1", false),
      request: request("wallet", "w-1", "transfer", { to: "w-2" }),
      relatedStates: new Map([["wallet/w-2", { frozen: true }]]),
    });
    expect(decision).toEqual({ kind: "refused", outcome: { ok: false, status: 422, body: { error: "rejected", reason: "target_frozen", message: "target frozen" } } });
  });

  it("reads its own state when a precondition names the command's own stream (no read of itself, no deadlock)", () => {
    const own = (frozen: boolean) =>
      handleCommand({ ...base, aggregate: wallet, stream: walletStream("w-1", frozen), request: request("wallet", "w-1", "transfer", { to: "w-1" }) }).kind;
    expect(own(true)).toBe("refused");
    expect(own(false)).toBe("accepted");
  });

  it("fails loudly when a state the preconditions need was not read", () => {
    expect(() => handleCommand({ ...base, aggregate: wallet, stream: walletStream("w-1", false), request: request("wallet", "w-1", "transfer", { to: "w-9" }) })).toThrow(
      /the state of wallet\/w-9, which a precondition reads, was not read/,
    );
  });
});

describe("the decider kit with related aggregates", () => {
  const withdraw = { type: "withdraw" as const, data: { amount: 10 } };

  it("runs the precondition over the related aggregate's events", () => {
    given(account, [opened, deposited]).withRelated(hold, TEST_AGGREGATE_ID, [imposed]).when(withdraw).thenRejects("account_on_hold");
    given(account, [opened, deposited]).withRelated(hold, TEST_AGGREGATE_ID, [imposed, lifted]).when(withdraw).then([{ type: "Withdrawn", data: { amount: 10 } }]);
  });

  it("matches the related stream by id, and reads one the test does not name as its initial state", () => {
    given(account, [opened, deposited]).withId("a-7").withRelated(hold, "a-7", [imposed]).when(withdraw).thenRejects("account_on_hold");
    given(account, [opened, deposited]).withId("a-8").withRelated(hold, "a-7", [imposed]).when(withdraw).then([{ type: "Withdrawn", data: { amount: 10 } }]);
  });

  it("takes a related state as it is", () => {
    given(account, [opened, deposited]).withRelatedState(hold, TEST_AGGREGATE_ID, { status: "held", reason: "x" }).when(withdraw).thenRejects("account_on_hold");
  });

  it("checks preconditions before decide, and decide still rejects when they pass", () => {
    // No account yet: decide would say account_not_open, but the hold refuses first.
    given(account).withRelated(hold, TEST_AGGREGATE_ID, [imposed]).when(withdraw).thenRejects("account_on_hold");
    given(account).when(withdraw).thenRejects("account_not_open");
  });

  it("reads the aggregate's own state for a precondition on its own stream", () => {
    given(wallet, [{ type: "Frozen", data: {} }]).withId("w-1").when({ type: "transfer", data: { to: "w-1" } }).thenRejects("target_frozen");
    given(wallet).withId("w-1").when({ type: "transfer", data: { to: "w-1" } }).then([{ type: "Transferred", data: { to: "w-1" } }]);
  });

  it("fails a wrong expectation at the test's line", () => {
    expect(() => given(account, [opened, deposited]).withRelated(hold, TEST_AGGREGATE_ID, [imposed]).when(withdraw).then([])).toThrow(/rejected: account_on_hold/);
  });
});

