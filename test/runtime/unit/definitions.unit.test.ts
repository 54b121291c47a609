import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineAggregate, defineProcessManager, defineProjection } from "edge-cqrs";

// Definition-time checks: mistakes in a domain's definitions fail when the Worker loads, not later.
const counter = (name: string, event = "Incremented") =>
  defineAggregate({
    name,
    commands: { increment: z.object({}) },
    events: { [event]: z.object({}) },
    initialState: () => 0,
    decide: () => [],
    evolve: (state: number) => state + 1,
  });

const queue = { name: "q", binding: "Q" };

describe("defineAggregate", () => {
  it("refuses names that cannot be object names, command segments or event types", () => {
    expect(() => counter("Bad Name")).toThrow(/aggregate name/);
    expect(() =>
      defineAggregate({ name: "ok", commands: { Increment: z.object({}) }, events: {}, initialState: () => 0, decide: () => [], evolve: (s: number) => s }),
    ).toThrow(/command "Increment"/);
    expect(() => counter("ok", "incremented")).toThrow(/event type "incremented"/);
    expect(() => defineAggregate({ ...counter("ok"), snapshotEvery: 0 })).toThrow(/snapshotEvery/);
  });

  it("knows its internal commands, and refuses one it does not have", () => {
    const guarded = defineAggregate({
      name: "guarded",
      commands: { increment: z.object({}), reset: z.object({}) },
      events: { Incremented: z.object({}) },
      initialState: () => 0,
      decide: () => [],
      evolve: (state: number) => state + 1,
      internalCommands: ["reset"],
    });
    expect(guarded.isInternal("reset")).toBe(true);
    expect(guarded.isInternal("increment")).toBe(false);
    expect(counter("open").isInternal("increment")).toBe(false);
    expect(() => defineAggregate({ ...counter("bad"), internalCommands: ["reset" as "increment"] })).toThrow(/internal command "reset" is not one of its commands/);
  });

  it("derives an event's schema version from its upcasters", () => {
    const upcast = defineAggregate({ ...counter("ok"), upcasters: { Incremented: { 1: (v) => v, 2: (v) => v } } });
    expect(upcast.schemaVersionOf("Incremented")).toBe(3);
    expect(counter("plain").schemaVersionOf("Incremented")).toBe(1);
  });

  it("fingerprints the state's shape, so a changed evolve ignores old snapshots", () => {
    const a = counter("a");
    const b = defineAggregate({ ...counter("a"), evolve: (state: number) => state + 2 });
    const bumped = defineAggregate({ ...counter("a"), stateVersion: 2 });
    expect(a.stateSchema).not.toBe(b.stateSchema);
    expect(a.stateSchema).not.toBe(bumped.stateSchema);
    expect(counter("a").stateSchema).toBe(a.stateSchema);
  });
});

describe("projections and process managers", () => {
  it("refuse to follow two aggregates with an event type of the same name", () => {
    expect(() => defineProjection({ name: "p", queue, from: [counter("a"), counter("b")], handlers: {} })).toThrow(/Incremented exists in both a and b/);
    expect(() => defineProcessManager({ name: "m", queue, from: [counter("a"), counter("b")], handlers: {} })).toThrow(/exists in both/);
  });

  it("refuse to follow nothing", () => {
    expect(() => defineProjection({ name: "p", queue, from: [], handlers: {} })).toThrow(/names no aggregate/);
  });

  it("follow aggregates whose event types differ", () => {
    expect(defineProjection({ name: "p", queue, from: [counter("a"), counter("b", "Decremented")], handlers: {} }).aggregates).toEqual(["a", "b"]);
  });
});

describe("stateful process managers", () => {
  const envelope = (key: string) => ({
    eventId: "e-1",
    streamId: `ticks/${key}`,
    aggregate: "ticks",
    aggregateId: key,
    version: 1,
    type: "Incremented",
    schemaVersion: 1,
    data: {},
    metadata: { commandId: "c", correlationId: "c", causationId: "c", recordedAt: "2026-01-01T00:00:00.000Z" },
  });
  const manager = (decide: () => object, name = "watcher") =>
    defineProcessManager({
      name,
      queue,
      from: [counter("ticks")],
      correlate: (event) => event.aggregateId,
      state: z.object({ seen: z.number() }),
      timer: z.object({}),
      initialState: () => ({ seen: 0 }),
      evolve: (state) => ({ seen: state.seen + 1 }),
      decide,
    });

  it("refuses a name that cannot be part of an object name or a command id", () => {
    expect(() => manager(() => ({}), "Watcher One")).toThrow(/process manager name/);
  });

  it("receives the outcomes it names, and refuses one that does not exist; a stateless manager receives none", () => {
    expect([...manager(() => ({})).outcomes]).toEqual([]);
    const base = { name: "outcomes", queue, from: [counter("ticks")], correlate: () => "t-1", state: z.object({}), initialState: () => ({}), evolve: () => ({}), decide: () => ({}) };
    expect([...defineProcessManager({ ...base, outcomes: ["rejected"] }).outcomes]).toEqual(["rejected"]);
    expect(() => defineProcessManager({ ...base, outcomes: ["refused" as "rejected"] })).toThrow(/outcome "refused" must be one of rejected, accepted/);
    const stateless = { name: "stateless", queue, from: [counter("ticks")], handlers: {}, outcomes: ["rejected"] };
    expect(() => defineProcessManager(stateless as never)).toThrow(/only a stateful manager .* receives its commands' outcomes/);
  });

  it("refuses an instance key outside the id alphabet", () => {
    expect(() => manager(() => ({})).correlate(envelope("a b"))).toThrow(/not an instance key/);
    expect(manager(() => ({})).correlate(envelope("t-1"))).toBe("t-1");
  });

  it("refuses a decision with too many commands, a bad timer id or a time that is not an instant", () => {
    const commands = Array.from({ length: 21 }, () => ({ aggregate: "ticks", id: "t-1", command: "increment", payload: {} }));
    expect(() => manager(() => ({ commands })).step({ seen: 0 }, envelope("t-1"))).toThrow(/at most 20/);
    expect(() => manager(() => ({ timers: { set: [{ id: "a b", at: "2026-01-01T00:00:00Z", payload: {} }] } })).step({ seen: 0 }, envelope("t-1"))).toThrow(/timer id/);
    expect(() => manager(() => ({ timers: { set: [{ id: "t", at: "soon", payload: {} }] } })).step({ seen: 0 }, envelope("t-1"))).toThrow(/ISO-8601/);
  });

  it("checks the state against its schema after evolve", () => {
    const broken = defineProcessManager({
      name: "broken",
      queue,
      from: [counter("ticks")],
      correlate: (event) => event.aggregateId,
      state: z.object({ seen: z.number() }),
      timer: z.object({}),
      initialState: () => ({ seen: 0 }),
      evolve: () => ({ seen: "many" }) as unknown as { seen: number },
      decide: () => ({}),
    });
    expect(() => broken.step({ seen: 0 }, envelope("t-1"))).toThrow(/state fails its schema/);
  });
});
