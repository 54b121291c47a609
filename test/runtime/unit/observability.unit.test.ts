import { afterEach, describe, expect, it, vi } from "vitest";
import type { CommandOutcome } from "../../../src/runtime/aggregate-protocol";
import { BatchReport, formatLog, Metrics, MetricsBinding, outcomeName, writeFormattedLog, writeLog, type MetricsDataset } from "../../../src/runtime/observability";

afterEach(() => vi.restoreAllMocks());

/** A stand-in dataset at the binding boundary: records what the runtime writes. */
function recordingDataset(): MetricsDataset & { points: Parameters<MetricsDataset["writeDataPoint"]>[0][] } {
  const points: Parameters<MetricsDataset["writeDataPoint"]>[0][] = [];
  return { points, writeDataPoint: (point) => void points.push(point) };
}

const success = (replayed: boolean): CommandOutcome => ({ ok: true, replayed, body: { streamId: "a/1", version: 1, events: [], token: "t" } });
const refusal = (status: 400 | 404 | 409 | 413 | 422 | 500, error: string): CommandOutcome => ({ ok: false, status, body: { error: error as never, message: "m" } });

describe("outcomeName", () => {
  it.each([
    [success(false), "accepted"],
    [success(true), "idempotent-replay"],
    [refusal(422, "rejected"), "rejected"],
    [refusal(409, "version_conflict"), "conflict"],
    [refusal(400, "invalid_command"), "invalid"],
    [refusal(404, "unknown_command"), "invalid"],
    [refusal(413, "payload_too_large"), "invalid"],
    [refusal(422, "idempotency_key_reuse"), "invalid"],
    [refusal(500, "misconfigured"), "failed"],
  ] as const)("%j is %s", (outcome, name) => {
    expect(outcomeName({ outcome })).toBe(name);
  });

  it("names a thrown command failed", () => {
    expect(outcomeName({ thrown: new Error("decider bug") })).toBe("failed");
  });
});

describe("writeLog", () => {
  it("writes one JSON object per line, through the console method of its level, without undefined fields", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    writeLog("info", { event: "command", msg: "m", version: 3, absent: undefined });
    writeLog("error", { event: "outbox.parked", msg: "m" });
    expect(log.mock.calls).toEqual([['{"level":"info","event":"command","msg":"m","version":3}']]);
    expect(JSON.parse(error.mock.calls[0]![0] as string)).toEqual({ level: "error", event: "outbox.parked", msg: "m" });
  });

  it("can make a line ahead, so a caller can measure it, and then writes it as writeLog would", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const line = formatLog("warn", { event: "dead-letters.park-failed", msg: "m", attempts: 2 });
    expect(line).toEqual({ level: "warn", text: '{"level":"warn","event":"dead-letters.park-failed","msg":"m","attempts":2}' });
    expect(warn).not.toHaveBeenCalled();
    writeFormattedLog(line);
    writeLog("warn", { event: "dead-letters.park-failed", msg: "m", attempts: 2 });
    expect(warn.mock.calls).toEqual([[line.text], [line.text]]);
  });
});

describe("Metrics", () => {
  it("writes nothing, and does not complain, when the application names no binding", () => {
    const warn = vi.spyOn(console, "warn");
    const metrics = new MetricsBinding(undefined).of({});
    expect(metrics.enabled).toBe(false);
    metrics.deadLetters("balances", 1);
    expect(warn).not.toHaveBeenCalled();
  });

  it("writes to the named binding, with the name cut to the 96 bytes an index holds", () => {
    const dataset = recordingDataset();
    const metrics = new MetricsBinding("METRICS").of({ METRICS: dataset });
    const name = "é".repeat(60);
    metrics.deadLetters(name, 3);
    expect(dataset.points).toEqual([{ indexes: ["é".repeat(48)], blobs: ["dead-letters", name], doubles: [3] }]);
  });

  it("says once per runtime, not per command, that the named binding is missing", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const binding = new MetricsBinding("METRICS");
    expect(binding.of({}).enabled).toBe(false);
    expect(binding.of({}).enabled).toBe(false);
    // Another runtime in the same isolate says it too: it is a misconfiguration of its own.
    expect(new MetricsBinding("METRICS").of({}).enabled).toBe(false);
    expect(warn.mock.calls.map(([line]) => JSON.parse(line as string).event)).toEqual(["metrics.binding-missing", "metrics.binding-missing"]);
  });

  it("never throws: a data point the dataset refuses is reported and dropped", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const metrics = new Metrics({ writeDataPoint: () => { throw new Error("too many blobs"); } });
    expect(() => metrics.deadLetters("balances", 1)).not.toThrow();
    expect(warn.mock.calls.map(([line]) => JSON.parse(line as string))).toEqual([
      { level: "warn", event: "metrics.point-dropped", msg: expect.stringContaining("too many blobs"), point: "dead-letters", error: "Error: too many blobs" },
    ]);
  });
});

describe("BatchReport", () => {
  const message = (version: number, traceId: string): Message<unknown> =>
    ({ id: `m${version}`, timestamp: new Date(), attempts: 1, body: { version, metadata: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } } }) as unknown as Message<unknown>;
  const event = (version: number, traceId: string) => ({ version, metadata: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
  const t = (n: number) => n.toString(16).padStart(32, "0");

  it("counts applied events, duplicates and healed events per stream, and lists the applied events' traces", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const messages = [message(2, t(2)), message(2, t(2)), message(4, t(4)), message(1, t(1)), message(9, t(9))];
    const batch = { queue: "q", messages } as unknown as MessageBatch<unknown>;
    const dataset = recordingDataset();
    const report = new BatchReport({ name: "balances", kind: "projection" }, batch, new Metrics(dataset));
    report.planned([
      // Checkpoint 1: v1 is a duplicate, v2 came twice, v3 was read from the aggregate.
      { streamId: "a/1", checkpoint: 1, target: 4, messages: messages.slice(0, 4), events: [event(2, t(2)), event(3, t(3)), event(4, t(4))] },
      { streamId: "a/2", checkpoint: 0, target: 9, messages: messages.slice(4), events: [] },
    ]);
    report.failed({ streamId: "a/2", fromVersion: 1, toVersion: 9, error: new Error("boom") });
    report.finish();

    // A failed stream gets an error line of its own at once; the batch line is then a warning.
    expect(JSON.parse(error.mock.calls[0]![0] as string)).toMatchObject({
      level: "error",
      event: "projector.stream-failed",
      subscriber: "balances",
      streamId: "a/2",
      fromVersion: 1,
      toVersion: 9,
      error: "Error: boom",
    });
    const line = JSON.parse(warn.mock.calls[0]![0] as string);
    expect(line).toMatchObject({
      level: "warn",
      event: "projector.batch",
      subscriber: "balances",
      kind: "projection",
      queue: "q",
      messages: 5,
      streams: 2,
      applied: 3,
      duplicates: 2,
      healed: 1,
      failedStreams: 1,
      failed: ["a/2"],
      traceIds: [t(2), t(3), t(4)],
    });
    expect(dataset.points).toEqual([
      { indexes: ["balances"], blobs: ["batch", "balances", "projection", "q"], doubles: [5, 3, 2, 1, 1, expect.any(Number), expect.any(Number)] },
    ]);
  });

  it("lists at most 100 trace ids on a line and counts the others", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const events = Array.from({ length: 150 }, (_, i) => event(i + 1, t(i + 1)));
    const batch = { queue: "q", messages: [message(150, t(150))] } as unknown as MessageBatch<unknown>;
    const report = new BatchReport({ name: "balances", kind: "projection" }, batch, Metrics.none);
    report.planned([{ streamId: "a/1", checkpoint: 0, target: 150, messages: batch.messages, events }]);
    report.finish();
    const line = JSON.parse(log.mock.calls[0]![0] as string);
    expect(line.traceIds).toHaveLength(100);
    expect(line).toMatchObject({ applied: 150, healed: 149, traceIdsOmitted: 50 });
  });

  it("logs a batch whose run threw as an error, naming the error", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const batch = { queue: "q", messages: [message(1, t(1))] } as unknown as MessageBatch<unknown>;
    new BatchReport({ name: "crediting", kind: "process-manager" }, batch, Metrics.none).finish(new Error("D1 is down"));
    expect(JSON.parse(error.mock.calls[0]![0] as string)).toMatchObject({ level: "error", event: "projector.batch", error: "Error: D1 is down", applied: 0, traceIds: [t(1)] });
  });
});
