import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineAggregate, definePublisher, type EventEnvelope } from "edge-cqrs";
import { assertDistinctCloudEvents } from "../../../src/runtime/publisher";

// A small fixture domain: a counter whose `Incremented` goes public and whose `Noted` stays inside.
const counter = defineAggregate({
  name: "counter",
  commands: { increment: z.object({ by: z.number().int() }) },
  events: { Incremented: z.object({ by: z.number().int(), secret: z.string() }), Noted: z.object({ text: z.string() }) },
  initialState: () => 0,
  decide: () => [],
  evolve: (state: number) => state,
});
const other = defineAggregate({
  name: "other",
  commands: { poke: z.object({}) },
  events: { Other: z.object({}) },
  initialState: () => 0,
  decide: () => [],
  evolve: (state: number) => state,
});

const CounterIncremented = z.object({ counterId: z.string(), by: z.number().int() });
const base = {
  name: "counter-out",
  queue: { name: "counter-out", binding: "COUNTER_OUT" },
  from: [counter],
  source: "/tests/counter",
  integrationQueue: "INTEGRATION",
};
const publisher = definePublisher({
  ...base,
  events: {
    Incremented: { type: "com.example.counter.incremented", schema: CounterIncremented, data: (e) => ({ counterId: e.aggregateId, by: e.data.by }) },
  },
});

const envelope = (type: string, data: unknown, aggregate = "counter"): EventEnvelope => ({
  eventId: "0193a000-0000-7000-8000-000000000001",
  streamId: `${aggregate}/c-1`,
  aggregate,
  aggregateId: "c-1",
  version: 3,
  type,
  schemaVersion: 1,
  data,
  metadata: { commandId: "cmd", correlationId: "cor", causationId: "cmd", recordedAt: "2026-11-25T10:00:00.000Z" },
});

describe("definePublisher", () => {
  it("turns a mapped event into a CloudEvent 1.0 whose id is the source event's id", () => {
    expect(publisher.cloudEventFor(envelope("Incremented", { by: 2, secret: "internal" }))).toEqual({
      specversion: "1.0",
      id: "0193a000-0000-7000-8000-000000000001",
      source: "/tests/counter",
      type: "com.example.counter.incremented",
      time: "2026-11-25T10:00:00.000Z",
      subject: "c-1",
      datacontenttype: "application/json",
      data: { counterId: "c-1", by: 2 },
    });
  });

  it("publishes nothing for an event type without a mapping, or for an aggregate it does not follow", () => {
    expect(publisher.cloudEventFor(envelope("Noted", { text: "x" }))).toBeUndefined();
    expect(publisher.cloudEventFor(envelope("Incremented", { by: 2, secret: "s" }, "other"))).toBeUndefined();
    expect(publisher.cloudEventFor(envelope("toString", {}))).toBeUndefined();
  });

  it("strips what the public schema does not name, and refuses data that breaks it", () => {
    const leaky = definePublisher({
      ...base,
      events: { Incremented: { type: "com.example.counter.incremented", schema: CounterIncremented, data: (e) => ({ counterId: e.aggregateId, ...e.data }) } },
    });
    expect(leaky.cloudEventFor(envelope("Incremented", { by: 1, secret: "s" }))?.data).toEqual({ counterId: "c-1", by: 1 });
    expect(() => publisher.cloudEventFor(envelope("Incremented", { by: "two", secret: "s" }))).toThrow(z.ZodError);
  });

  it("describes each public type as the whole CloudEvent", () => {
    expect(publisher.publishes.map(({ aggregate, from, type }) => ({ aggregate, from, type }))).toEqual([
      { aggregate: "counter", from: "Incremented", type: "com.example.counter.incremented" },
    ]);
    const [published] = publisher.publishes;
    expect(published!.schema.safeParse(publisher.cloudEventFor(envelope("Incremented", { by: 1, secret: "s" }))).success).toBe(true);
    expect(published!.schema.safeParse({ ...publisher.cloudEventFor(envelope("Incremented", { by: 1, secret: "s" })), specversion: "0.3" }).success).toBe(false);
  });

  it("refuses a mapping key that is no event type of the followed aggregates", () => {
    const events = { Decremented: { type: "com.example.counter.decremented", schema: z.object({}), data: () => ({}) } };
    expect(() => definePublisher({ ...base, events } as never)).toThrow(/Decremented is not an event type of counter/);
    expect(() => definePublisher({ ...base, events: { Other: events.Decremented } } as never)).toThrow(/Other is not an event type/);
  });

  it("refuses public types that are malformed or used twice, a missing schema, and an empty mapping", () => {
    const mapping = (type: string) => ({ type, schema: z.object({}), data: () => ({}) });
    expect(() => definePublisher({ ...base, events: { Incremented: mapping("counter incremented") } })).toThrow(/not dot-separated words/);
    expect(() => definePublisher({ ...base, events: { Incremented: mapping("") } })).toThrow(/not dot-separated words/);
    expect(() => definePublisher({ ...base, events: { Incremented: mapping("a.b"), Noted: mapping("a.b") } })).toThrow(/Incremented and Noted both map to a.b/);
    expect(() => definePublisher({ ...base, events: { Incremented: { type: "a.b", data: () => ({}) } } } as never)).toThrow(/no zod schema/);
    expect(() => definePublisher({ ...base, events: {} })).toThrow(/maps no event type/);
  });

  it("refuses a source that is not a URI-reference, and following nothing", () => {
    const events = { Incremented: { type: "a.b", schema: z.object({}), data: () => ({}) } };
    expect(() => definePublisher({ ...base, source: "", events })).toThrow(/source/);
    expect(() => definePublisher({ ...base, source: "/has space", events })).toThrow(/source/);
    expect(() => definePublisher({ ...base, from: [], events: {} })).toThrow(/names no aggregate/);
  });
});

describe("two publishers", () => {
  const events = { Incremented: { type: "com.example.counter.incremented", schema: CounterIncremented, data: () => ({ counterId: "c", by: 1 }) } };

  it("may not send the same event to one queue under one source: their CloudEvents would share an identity", () => {
    const twin = definePublisher({ ...base, name: "twin", queue: { name: "twin", binding: "TWIN" }, events });
    expect(() => assertDistinctCloudEvents([publisher, twin])).toThrow(/counter-out and twin both send counter Incremented to INTEGRATION under source \/tests\/counter/);
  });

  it("may send the same event under another source or to another queue, or other events under one source", () => {
    const elsewhere = definePublisher({ ...base, name: "elsewhere", source: "/tests/elsewhere", events });
    const billing = definePublisher({ ...base, name: "billing", integrationQueue: "BILLING_EVENTS", events });
    const others = definePublisher({ ...base, name: "others", from: [other], events: { Other: { type: "com.example.other", schema: z.object({}), data: () => ({}) } } });
    expect(() => assertDistinctCloudEvents([publisher, elsewhere, billing, others])).not.toThrow();
  });
});
