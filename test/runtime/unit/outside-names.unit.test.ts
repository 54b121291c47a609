import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineAggregate, defineProcessManager, defineProjection, type EventEnvelope } from "edge-cqrs";
import { given } from "../../../src/runtime/testing";

// Names that come from outside (a command in a URL, an event type on a queue message) and happen
// to be members of every JS object must be unknown names, not Object.prototype's functions.

const PROTOTYPE_NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf"];

const counter = defineAggregate({
  name: "counter",
  commands: { increment: z.object({}) },
  events: { Incremented: z.object({}) },
  initialState: () => 0,
  decide: () => [{ type: "Incremented" as const, data: {} }],
  evolve: (state: number) => state + 1,
});

const queue = { name: "q", binding: "Q" };

const envelopeOfType = (type: string): EventEnvelope => ({
  eventId: "e-1",
  streamId: "counter/c-1",
  aggregate: "counter",
  aggregateId: "c-1",
  version: 1,
  type,
  schemaVersion: 1,
  data: {},
  metadata: { commandId: "c", correlationId: "c", causationId: "c", recordedAt: "2026-01-01T00:00:00.000Z" },
});

describe.each(PROTOTYPE_NAMES)("the name %s", (name) => {
  it("is no command of the decider kit's aggregate", () => {
    // Typed as the kit's own commands would be: only a name from outside can be this one.
    const unchecked = { type: name, data: {} } as never;
    expect(() => given(counter).when(unchecked)).toThrow(`counter has no command ${name}`);
    expect(() => given(counter).whenInvalid(unchecked)).toThrow(`counter has no command ${name}`);
  });

  it("is no event type the decider kit accepts from a decider", () => {
    const rogue = defineAggregate({ ...counter, decide: () => [{ type: name as "Incremented", data: {} }] });
    expect(() => given(rogue).when({ type: "increment", data: {} })).toThrow(`decider emitted ${name} that fails its schema: unknown event type`);
  });

  it("finds no projection handler: no statements", () => {
    const projection = defineProjection({ name: "p", queue, from: [counter], handlers: { Incremented: () => [] } });
    expect(projection.statementsFor(envelopeOfType(name), { db: {} as D1Database })).toEqual([]);
  });

  it("finds no process-manager handler: no commands", () => {
    const manager = defineProcessManager({ name: "m", queue, from: [counter], handlers: { Incremented: () => [] } });
    expect(manager.commandsFor(envelopeOfType(name))).toEqual([]);
  });
});
