import { createExecutionContext, createScheduledController, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import type { EventEnvelope } from "../../../../src/runtime/envelope";
import { OUTBOX_MAX_ATTEMPTS, type QueueSender } from "../../../../src/runtime/outbox";
import { BALANCES, openAccount, STATEMENT } from "../../fixture/support";
import { deliver } from "../../fixture/support/delivery";
import { fixtureEnv } from "../../fixture/support/worker";
import { postCommand, runCommand } from "../../../support/api-client";
import { aggregateStub, CapturedEvents, runOutboxAlarms, useQueueSender } from "../../../support/captured-events";
import { LogLines } from "../../../support/log-lines";
import worker from "../../fixture/worker";

// Metrics go to the Workers Analytics Engine dataset the application names (the fixture's
// bindings.metrics = "METRICS", a real local binding, which stores nothing locally): the spy
// wraps its writeDataPoint, the boundary the runtime writes through, and records what reaches it.

type DataPoint = { indexes: string[]; blobs: string[]; doubles: number[] };

let writes: MockInstance<(point: DataPoint) => void>;
const logs = new LogLines();
beforeEach(() => {
  writes = vi.spyOn(fixtureEnv.METRICS as unknown as { writeDataPoint(point: DataPoint): void }, "writeDataPoint");
  logs.install();
});
afterEach(() => {
  vi.restoreAllMocks();
  logs.restore();
});

/** The data points written so far whose first blob (the kind of point) is `kind`. */
const points = (kind: string, where: (p: DataPoint) => boolean = () => true): DataPoint[] =>
  writes.mock.calls.map(([point]) => point).filter((p) => p.blobs[0] === kind && where(p));

describe("command metrics", () => {
  it("write one data point per command: aggregate, command, outcome, error, reason, trace id; count, duration, events, version", async () => {
    const stream = "account/m-1";
    await new CapturedEvents().install(stream);
    await runCommand("account/m-1/open", openAccount());
    const accepted = await postCommand("account/m-1/deposit", { amount: 40 });
    await postCommand("account/m-1/withdraw", { amount: 1_000 });
    await postCommand("account/m-1/deposit", { amount: 1 }, { "If-Match": '"1"' });

    const traceId = accepted.headers.get("traceparent")!.split("-")[1];
    const ofStream = points("command", (p) => p.indexes[0] === "account").slice(-4);
    expect(ofStream.map((p) => p.blobs.slice(0, 6))).toEqual([
      ["command", "account", "open", "accepted", "", ""],
      ["command", "account", "deposit", "accepted", "", ""],
      ["command", "account", "withdraw", "rejected", "rejected", "insufficient_funds"],
      ["command", "account", "deposit", "conflict", "version_conflict", ""],
    ]);
    expect(ofStream[1]!.blobs[6]).toBe(traceId);
    const [count, durationMs, events, version] = ofStream[1]!.doubles;
    expect({ count, events, version }).toEqual({ count: 1, events: 1, version: 2 });
    expect(durationMs).toBeGreaterThanOrEqual(0);
    expect(ofStream[2]!.doubles).toEqual([1, expect.any(Number), 0, 0]);
  });
});

describe("commands refused at the HTTP edge", () => {
  it("write a data point when they name a known command, and none for names that come only from the request", async () => {
    expect((await postCommand("account/m-7/open", "{not json")).status).toBe(400);
    expect(points("command").at(-1)!.blobs.slice(0, 5)).toEqual(["command", "account", "open", "invalid", "invalid_json"]);
    const before = writes.mock.calls.length;
    expect((await postCommand("no-such-aggregate/m-7/open", {})).status).toBe(404);
    expect((await postCommand("account/m-7/no-such-command", {})).status).toBe(404);
    expect(writes.mock.calls.length).toBe(before);
    expect(logs.of("command", (l) => l.refusedAt === "edge").map((l) => l.error)).toEqual(["invalid_json", "unknown_aggregate", "unknown_command"]);
  });
});

describe("projector metrics", () => {
  it("write one data point per batch: applied, duplicates skipped, events healed from the aggregate, failed streams, lag", async () => {
    const stream = "account/m-2";
    const captured = new CapturedEvents();
    await captured.install(stream);
    await runCommand("account/m-2/open", openAccount());
    await runCommand("account/m-2/deposit", { amount: 5 });
    await runCommand("account/m-2/deposit", { amount: 6 });
    const [v1, , v3] = captured.streamSentTo(BALANCES, stream) as [EventEnvelope, EventEnvelope, EventEnvelope];

    expect((await deliver(BALANCES, [v1])).retried).toEqual([]);
    // v1 again is a duplicate; v3 leaves a gap at v2, read from the aggregate.
    expect((await deliver(BALANCES, [v1, v3])).retried).toEqual([]);

    const [first, second] = points("batch", (p) => p.blobs[1] === "balances").slice(-2);
    expect(first!.blobs).toEqual(["batch", "balances", "projection", BALANCES]);
    expect(first!.indexes).toEqual(["balances"]);
    const named = (p: DataPoint) => {
      const [messages, applied, duplicates, healed, failedStreams] = p.doubles;
      return { messages, applied, duplicates, healed, failedStreams };
    };
    expect(named(first!)).toEqual({ messages: 1, applied: 1, duplicates: 0, healed: 0, failedStreams: 0 });
    expect(named(second!)).toEqual({ messages: 2, applied: 2, duplicates: 1, healed: 1, failedStreams: 0 });

    // The log line says the same, and lists the traces of every event applied, healed ones included.
    const line = logs.of("projector.batch", (l) => l.subscriber === "balances").at(-1)!;
    expect(line).toMatchObject({ messages: 2, applied: 2, duplicates: 1, healed: 1, failedStreams: 0 });
    const traceOf = (e: EventEnvelope) => e.metadata.traceparent!.split("-")[1];
    const [, v2] = captured.streamSentTo(STATEMENT, stream) as [EventEnvelope, EventEnvelope];
    expect(new Set(line.traceIds)).toEqual(new Set([traceOf(v2), traceOf(v3)]));
  });

  it("count the dead letters a subscriber's dead-letter queue brings to be parked", async () => {
    const stream = "account/m-3";
    const captured = new CapturedEvents();
    await captured.install(stream);
    await runCommand("account/m-3/open", openAccount());
    const [opened] = captured.streamSentTo(BALANCES, stream);
    const { acked, ids } = await deliver("fixture-balances-dlq", [opened]);
    expect(acked).toEqual(ids);
    expect(points("dead-letters").at(-1)).toEqual({ indexes: ["balances"], blobs: ["dead-letters", "balances"], doubles: [1] });
  });
});

describe("lag metrics", () => {
  it("the cron writes each subscriber's lag in events, streams behind and age of the oldest head", async () => {
    const captured = new CapturedEvents();
    await captured.install("account/m-6");
    await runCommand("account/m-6/open", openAccount());
    await runCommand("account/m-6/deposit", { amount: 9 });
    // The catalog hears of the stream's head (the later one from the outbox's alarm); no subscriber has applied anything of it.
    await runOutboxAlarms("account/m-6");
    await deliver("stream-catalog", captured.sentTo("stream-catalog"));

    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/5 * * * *" }), fixtureEnv, createExecutionContext());
    const lagOf = (subscriber: string) => points("lag", (p) => p.blobs[1] === subscriber).at(-1);
    expect(lagOf("balances")).toEqual({ indexes: ["balances"], blobs: ["lag", "balances"], doubles: [2, 1, expect.any(Number)] });
    expect(lagOf("statement")!.doubles.slice(0, 2)).toEqual([2, 1]);
    expect(lagOf("crediting")!.doubles.slice(0, 2)).toEqual([0, 0]);
  });
});

describe("outbox metrics", () => {
  beforeEach(() => {
    // The failed sends are the point of these tests: keep their lines out of the run's output.
    vi.spyOn(console, "warn").mockImplementation(() => {});
    vi.spyOn(console, "error").mockImplementation(() => {});
  });

  it("write a data point and a warning line for each failed send, and an error line when an event is parked", async () => {
    const stream = "account/m-4";
    const captured = new CapturedEvents();
    const refusesVersion2: QueueSender = async (route, envelopes) => {
      if (route.queue === STATEMENT && envelopes.some((e) => e.version === 2)) throw new Error("message too large (test)");
      await captured.sender(route, envelopes);
    };
    await useQueueSender(stream, refusesVersion2);
    await runCommand("account/m-4/open", openAccount());
    await runCommand("account/m-4/deposit", { amount: 6 });
    const stub = aggregateStub(stream);
    const cursor = () => runInDurableObject(stub, (instance) => instance.store.outbox.cursor(STATEMENT));
    for (let alarms = 0; alarms < 2 * OUTBOX_MAX_ATTEMPTS && (await cursor()) < 2; alarms++) await runDurableObjectAlarm(stub);

    const retries = points("outbox", (p) => p.blobs[3] === "retry" && p.blobs[4] === stream);
    expect(retries.length).toBeGreaterThanOrEqual(OUTBOX_MAX_ATTEMPTS - 1);
    expect(retries[0]).toMatchObject({ indexes: ["account"], blobs: ["outbox", "account", STATEMENT, "retry", stream], doubles: [1, 1, expect.any(Number)] });
    expect(points("outbox", (p) => p.blobs[3] === "parked" && p.blobs[4] === stream)).toEqual([
      { indexes: ["account"], blobs: ["outbox", "account", STATEMENT, "parked", stream], doubles: [1, OUTBOX_MAX_ATTEMPTS, 0] },
    ]);
    expect(logs.of("outbox.retry", (l) => l.streamId === stream)[0]).toMatchObject({ level: "warn", queue: STATEMENT, attempts: 1, error: expect.stringContaining("too large") });
    expect(logs.of("outbox.parked", (l) => l.streamId === stream)).toEqual([
      expect.objectContaining({ level: "error", queue: STATEMENT, version: 2, attempts: OUTBOX_MAX_ATTEMPTS }),
    ]);
  });
});

describe("without the metrics binding", () => {
  it("a Worker whose env lacks the binding it names consumes its batches as before, writes no data point, and says so once", async () => {
    const stream = "account/m-5";
    const captured = new CapturedEvents();
    await captured.install(stream);
    await runCommand("account/m-5/open", openAccount());
    const before = writes.mock.calls.length;
    const withoutMetrics = { ...fixtureEnv, METRICS: undefined } as unknown as typeof fixtureEnv;

    const first = await deliver(BALANCES, captured.streamSentTo(BALANCES, stream), 1, withoutMetrics);
    const again = await deliver(STATEMENT, captured.streamSentTo(STATEMENT, stream), 1, withoutMetrics);
    expect(first.acked).toEqual(first.ids);
    expect(again.acked).toEqual(again.ids);
    expect(writes.mock.calls.length).toBe(before);
    expect(logs.of("metrics.binding-missing")).toEqual([expect.objectContaining({ level: "warn", binding: "METRICS" })]);
    expect(logs.of("projector.batch", (l) => l.subscriber === "balances").at(-1)).toMatchObject({ applied: 1 });
  });
});
