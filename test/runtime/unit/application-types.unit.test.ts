import { defineAggregate, defineProjection, type Application } from "edge-cqrs";
import { describe, expect, it } from "vitest";
import { z } from "zod";

// Binding names are checked against the Worker's Env by `tsc` (part of `npm test`): each
// `@ts-expect-error` below fails the typecheck the day the mistake it marks stops being an error.
interface TestEnv {
  AGGREGATES: DurableObjectNamespace;
  READ_DB: D1Database;
  COUNTS_QUEUE: Queue;
  API_TOKEN: string;
}

const counter = defineAggregate({
  name: "counter",
  commands: { increment: z.object({}) },
  events: { Incremented: z.object({}) },
  initialState: () => 0,
  decide: () => [{ type: "Incremented", data: {} }],
  evolve: (state: number) => state + 1,
});

const projection = (binding: string, database?: string) =>
  defineProjection({ name: "counts", queue: { name: "counts", binding }, ...(database && { database }), from: [counter], handlers: {} });

describe("Application<Env>", () => {
  it("accepts definitions whose bindings exist in Env with the right kind", () => {
    const counts = defineProjection({ name: "counts", queue: { name: "counts", binding: "COUNTS_QUEUE" }, from: [counter], handlers: {} });
    const app: Application<TestEnv> = { title: "t", version: "1", aggregates: [counter], projections: [counts] };
    expect(app.projections).toHaveLength(1);
  });

  it("refuses a misspelt queue binding, a queue that is not a queue and a missing database", () => {
    const misspelt = defineProjection({ name: "a", queue: { name: "a", binding: "COUNT_QUEUE" }, from: [counter], handlers: {} });
    const notAQueue = defineProjection({ name: "b", queue: { name: "b", binding: "READ_DB" }, from: [counter], handlers: {} });
    const noDatabase = defineProjection({ name: "c", queue: { name: "c", binding: "COUNTS_QUEUE" }, database: "VIEWS_DB", from: [counter], handlers: {} });
    // @ts-expect-error COUNT_QUEUE is not a binding of TestEnv
    const a: Application<TestEnv> = { title: "t", version: "1", aggregates: [counter], projections: [misspelt] };
    // @ts-expect-error READ_DB is a D1 database, not a queue producer
    const b: Application<TestEnv> = { title: "t", version: "1", aggregates: [counter], projections: [notAQueue] };
    // @ts-expect-error VIEWS_DB is not a binding of TestEnv
    const c: Application<TestEnv> = { title: "t", version: "1", aggregates: [counter], projections: [noDatabase] };
    // A name only known as a string cannot be checked, so it is refused too.
    // @ts-expect-error binding: string
    const d: Application<TestEnv> = { title: "t", version: "1", aggregates: [counter], projections: [projection("COUNTS_QUEUE")] };
    expect([a, b, c, d]).toHaveLength(4);
  });

  it("needs the aggregates' namespace named when Env has no AGGREGATES", () => {
    interface OtherEnv {
      LOANS: DurableObjectNamespace;
    }
    // @ts-expect-error Env has no AGGREGATES, so bindings.aggregates is required
    const missing: Application<OtherEnv> = { title: "t", version: "1", aggregates: [counter] };
    const named: Application<OtherEnv> = { title: "t", version: "1", aggregates: [counter], bindings: { aggregates: "LOANS" } };
    // @ts-expect-error LOAN is not a Durable Object namespace of OtherEnv
    const misspelt: Application<OtherEnv> = { title: "t", version: "1", aggregates: [counter], bindings: { aggregates: "LOAN" } };
    expect([missing, named, misspelt]).toHaveLength(3);
  });

  it("checks the stateful process managers' namespace against Env when it is named", () => {
    interface ManagersEnv extends TestEnv {
      SAGAS: DurableObjectNamespace;
    }
    const named: Application<ManagersEnv> = { title: "t", version: "1", aggregates: [counter], bindings: { processManagers: "SAGAS" } };
    // @ts-expect-error SAGA is not a Durable Object namespace of ManagersEnv
    const misspelt: Application<ManagersEnv> = { title: "t", version: "1", aggregates: [counter], bindings: { processManagers: "SAGA" } };
    // @ts-expect-error READ_DB is a D1 database, not a Durable Object namespace
    const wrongKind: Application<ManagersEnv> = { title: "t", version: "1", aggregates: [counter], bindings: { processManagers: "READ_DB" } };
    expect([named, misspelt, wrongKind]).toHaveLength(3);
  });

  it("takes an Analytics Engine dataset of Env as the metrics binding, and nothing else", () => {
    interface MeteredEnv extends TestEnv {
      METRICS: AnalyticsEngineDataset;
    }
    const metered: Application<MeteredEnv> = { title: "t", version: "1", aggregates: [counter], bindings: { metrics: "METRICS" } };
    // @ts-expect-error READ_DB is a D1 database, not an Analytics Engine dataset
    const notADataset: Application<MeteredEnv> = { title: "t", version: "1", aggregates: [counter], bindings: { metrics: "READ_DB" } };
    // @ts-expect-error TestEnv has no METRICS
    const missing: Application<TestEnv> = { title: "t", version: "1", aggregates: [counter], bindings: { metrics: "METRICS" } };
    expect([metered, notADataset, missing]).toHaveLength(3);
  });
});
