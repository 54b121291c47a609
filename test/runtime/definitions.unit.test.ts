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
