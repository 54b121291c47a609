import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineAggregate, reject } from "edge-cqrs";
import { handleCommand, MAX_EVENT_BYTES, type CommandInput } from "../../../src/runtime/aggregate-object/command-handler";
import { requestHash } from "../../../src/runtime/aggregate-object/request-hash";
import type { CommandRequest } from "../../../src/runtime/aggregate-protocol";
import { RESERVED_METADATA_KEYS } from "../../../src/runtime/envelope";

// The command pipeline without workerd: a stream, a request, a clock and an id source in;
// events, the command record and the answer (or a refusal) out.

const account = defineAggregate({
  name: "account",
  commands: {
    open: z.object({ owner: z.string().min(1) }),
    deposit: z.object({ amount: z.number().int().positive(), note: z.string().optional() }),
    touch: z.object({}),
    audit: z.object({}),
  },
  internalCommands: ["audit"],
  events: {
    Opened: z.object({ owner: z.string() }),
    Deposited: z.object({ amount: z.number().int(), note: z.string().optional() }),
  },
  initialState: () => ({ open: false, balance: 0 }),
  decide: (command, state) => {
    switch (command.type) {
      case "open":
        if (state.open) reject("already_open");
        // A rule about the caller: only the owner, or the back office, opens an account.
        if (command.metadata.actor.id !== command.data.owner && command.metadata.actor.claims?.role !== "back-office") reject("not_the_owner");
        return [{ type: "Opened", data: { owner: command.data.owner } }];
      case "deposit":
        if (!state.open) reject("not_open", "Only an open account takes deposits");
        return [{ type: "Deposited", data: command.data }];
      case "touch":
      case "audit":
        return [];
    }
  },
  evolve: (state, event) => (event.type === "Opened" ? { ...state, open: true } : { ...state, balance: state.balance + event.data.amount }),
  snapshotEvery: 3,
});

const NOW = "2026-01-01T00:00:00.000Z";

const emptyStream = { aggregate: account, streamId: "account/a-1", aggregateId: "a-1", version: 0, state: account.initialState() };
const openStream = (version = 1) => ({ ...emptyStream, version, state: { open: true, balance: 0 } });

async function input(request: Partial<CommandRequest> & { command: string }, overrides: Partial<CommandInput> = {}): Promise<CommandInput> {
  const full: CommandRequest = { aggregate: "account", id: "a-1", payload: {}, commandId: "cmd-1", actor: { id: "ada" }, ...request };
  let next = 0;
  return {
    aggregate: account,
    stream: emptyStream,
    request: full,
    requestHash: await requestHash(full.command, full.payload),
    previous: undefined,
    now: NOW,
    newId: () => `event-${++next}`,
    ...overrides,
  };
}

describe("handleCommand: validation", () => {
  it.each(["nope", "__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"])("answers 404 unknown_command for %s", async (name) => {
    const decision = handleCommand(await input({ command: name }));
    expect(decision).toMatchObject({ kind: "refused", outcome: { ok: false, status: 404, body: { error: "unknown_command" } } });
  });

  it("answers 400 invalid_command with the zod issues", async () => {
    const decision = handleCommand(await input({ command: "open", payload: { owner: "" } }));
    expect(decision).toMatchObject({ kind: "refused", outcome: { status: 400, body: { error: "invalid_command", issues: [{ path: ["owner"] }] } } });
  });
});

describe("handleCommand: accepted", () => {
  it("builds the events, the command record and the answer from the clock and ids it is given", async () => {
    const decision = handleCommand(await input({ command: "open", payload: { owner: "ada" }, correlationId: "corr-1" }));
    if (decision.kind !== "accepted") throw new Error(`expected accepted, got ${decision.kind}`);
    expect(decision.commit.events).toEqual([
      {
        version: 1,
        eventId: "event-1",
        type: "Opened",
        schemaVersion: 1,
        data: { owner: "ada" },
        metadata: { commandId: "cmd-1", correlationId: "corr-1", causationId: "cmd-1", actor: "ada", recordedAt: NOW },
        recordedAt: NOW,
      },
    ]);
    expect(decision.commit).toMatchObject({ version: 1, state: { open: true, balance: 0 }, snapshot: undefined });
    expect(JSON.parse(decision.commit.envelopeJson[0]!)).toMatchObject({ eventId: "event-1", streamId: "account/a-1", aggregateId: "a-1", version: 1 });
    // The outbox sends the envelope object; live subscribers get its JSON: the same envelope.
    expect(JSON.parse(decision.commit.envelopeJson[0]!)).toEqual(decision.commit.envelopes[0]);
    expect(decision.outcome).toMatchObject({ ok: true, replayed: false, body: { streamId: "account/a-1", version: 1, events: [{ eventId: "event-1", type: "Opened", version: 1 }] } });
    expect(JSON.parse(decision.commit.record.response)).toEqual(decision.outcome.ok && decision.outcome.body);
  });

  it("records a command that emits nothing, without events", async () => {
    const decision = handleCommand(await input({ command: "touch" }, { stream: openStream() }));
    expect(decision).toMatchObject({ kind: "accepted", commit: { events: [], version: 1 }, outcome: { ok: true, body: { version: 1, events: [] } } });
  });

  it("marks a snapshot due when the version crosses a multiple of snapshotEvery", async () => {
    const at2 = handleCommand(await input({ command: "deposit", payload: { amount: 5 } }, { stream: openStream(2) }));
    expect(at2).toMatchObject({ kind: "accepted", commit: { version: 3, snapshot: { sparseEvery: 30 } } });
    const at3 = handleCommand(await input({ command: "deposit", payload: { amount: 5 } }, { stream: openStream(3) }));
    expect(at3).toMatchObject({ kind: "accepted", commit: { version: 4, snapshot: undefined } });
  });
});

describe("handleCommand: idempotency", () => {
  it("replays the stored answer for the same request under the same key", async () => {
    const first = handleCommand(await input({ command: "open", payload: { owner: "ada" } }));
    if (first.kind !== "accepted") throw new Error("expected accepted");
    const again = handleCommand(await input({ command: "open", payload: { owner: "ada" } }, { stream: openStream(), previous: first.commit.record }));
    expect(again).toEqual({ kind: "replayed", outcome: { ok: true, replayed: true, body: first.outcome.ok && first.outcome.body } });
  });

  it("refuses the same key for a different request with 422 idempotency_key_reuse", async () => {
    const first = handleCommand(await input({ command: "open", payload: { owner: "ada" } }));
    if (first.kind !== "accepted") throw new Error("expected accepted");
    const reuse = handleCommand(await input({ command: "open", payload: { owner: "bob" } }, { stream: openStream(), previous: first.commit.record }));
    expect(reuse).toMatchObject({ kind: "refused", outcome: { status: 422, body: { error: "idempotency_key_reuse" } } });
  });
});

describe("handleCommand: If-Match", () => {
  it("refuses a stale expected version with 409 and both versions", async () => {
    const decision = handleCommand(await input({ command: "deposit", payload: { amount: 1 }, expectedVersion: 0 }, { stream: openStream(1) }));
    expect(decision).toMatchObject({ kind: "refused", outcome: { status: 409, body: { error: "version_conflict", expected: 0, actual: 1 } } });
  });

  it("accepts the current version", async () => {
    const decision = handleCommand(await input({ command: "deposit", payload: { amount: 1 }, expectedVersion: 1 }, { stream: openStream(1) }));
    expect(decision.kind).toBe("accepted");
  });
});

describe("handleCommand: rejection", () => {
  it("answers 422 rejected with the decider's reason and stores nothing", async () => {
    const decision = handleCommand(await input({ command: "deposit", payload: { amount: 1 } }));
    expect(decision).toEqual({
      kind: "refused",
      outcome: { ok: false, status: 422, body: { error: "rejected", reason: "not_open", message: "Only an open account takes deposits" } },
    });
  });
});

describe("handleCommand: the actor", () => {
  it("reaches decide, so a rule about the caller needs nothing from the payload", async () => {
    const stranger = handleCommand(await input({ command: "open", payload: { owner: "ada" }, actor: { id: "mallory" } }));
    expect(stranger).toMatchObject({ kind: "refused", outcome: { status: 422, body: { reason: "not_the_owner" } } });
    const office = handleCommand(await input({ command: "open", payload: { owner: "ada" }, actor: { id: "bob", claims: { role: "back-office" } } }));
    if (office.kind !== "accepted") throw new Error("expected accepted");
    expect(office.commit.events[0]!.metadata.actor).toBe("bob");
  });
});

describe("handleCommand: internal commands", () => {
  it("refuses an internal command from a caller outside the runtime with 403 internal_command, whatever its claims", async () => {
    for (const actor of [{ id: "ada" }, { id: "admin", claims: { role: "admin" } }]) {
      const decision = handleCommand(await input({ command: "audit", actor }, { stream: openStream() }));
      expect(decision).toMatchObject({ kind: "refused", outcome: { ok: false, status: 403, body: { error: "internal_command", message: expect.stringMatching(/account\.audit is an internal command/) } } });
    }
  });

  it("accepts it from a process manager and from the runtime's own calls", async () => {
    const fromManager = handleCommand(await input({ command: "audit", actor: { id: "edge-cqrs:process-manager:books" } }, { stream: openStream() }));
    expect(fromManager.kind).toBe("accepted");
    // A request with no actor comes from the runtime's internals, which act as edge-cqrs:internal.
    const { actor: _client, ...internalRequest } = (await input({ command: "audit" })).request;
    const fromRuntime = handleCommand(await input({ command: "audit" }, { stream: openStream(), request: internalRequest }));
    expect(fromRuntime).toMatchObject({ kind: "accepted", commit: { record: expect.anything() } });
  });
});

describe("handleCommand: caller metadata", () => {
  it("drops every key the runtime owns and keeps the rest", async () => {
    const forged = Object.fromEntries([...RESERVED_METADATA_KEYS].map((key) => [key, "forged"]));
    const decision = handleCommand(await input({ command: "open", payload: { owner: "ada" }, metadata: { ...forged, tenant: "acme" } }));
    if (decision.kind !== "accepted") throw new Error("expected accepted");
    expect(decision.commit.events[0]!.metadata).toEqual({ tenant: "acme", commandId: "cmd-1", correlationId: "cmd-1", causationId: "cmd-1", actor: "ada", recordedAt: NOW });
    const envelope = JSON.parse(decision.commit.envelopeJson[0]!) as Record<string, unknown>;
    expect(envelope.eventId).toBe("event-1");
  });
});

describe("handleCommand: oversize events", () => {
  it(`refuses an event whose envelope exceeds ${MAX_EVENT_BYTES} bytes with 413`, async () => {
    const note = "n".repeat(MAX_EVENT_BYTES);
    const decision = handleCommand(await input({ command: "deposit", payload: { amount: 1, note } }, { stream: openStream() }));
    expect(decision).toMatchObject({ kind: "refused", outcome: { status: 413, body: { error: "payload_too_large" } } });
  });
});

describe("handleCommand: decider bugs", () => {
  it("throws when decide emits an event type the aggregate does not define, even a prototype name", async () => {
    const buggy = { ...account, decide: () => [{ type: "constructor", data: {} }] };
    await expect(async () => handleCommand(await input({ command: "touch" }, { aggregate: buggy }))).rejects.toThrow(/unknown event type constructor/);
  });
});
