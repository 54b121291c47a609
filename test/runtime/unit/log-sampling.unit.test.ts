import { afterEach, describe, expect, it, vi } from "vitest";
import type { CommandRequest } from "../../../src/runtime/aggregate-protocol";
import { keptBySampling, Metrics, reportCommand, type MetricsDataset } from "../../../src/runtime/observability";

afterEach(() => vi.restoreAllMocks());

const trace = (traceId: string) => ({ traceId, spanId: "00f067aa0ba902b7", flags: "01", traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
const request: CommandRequest = { aggregate: "account", id: "a-1", command: "deposit", payload: { amount: 1 }, commandId: "c-1" } as CommandRequest;

describe("log sampling by trace id", () => {
  it("keeps everything at 1 and nothing at 0", () => {
    expect(keptBySampling(1, ["ffffffffffffffffffffffffffffffff"])).toBe(true);
    expect(keptBySampling(0, ["00000000000000000000000000000001"])).toBe(false);
  });

  it("keeps a trace whose id falls under the rate, the same way every time", () => {
    // The first 32 bits of the id, as a fraction of 2^32, decide.
    expect(keptBySampling(0.25, ["3fffffff000000000000000000000000"])).toBe(true);
    expect(keptBySampling(0.25, ["40000000000000000000000000000000"])).toBe(false);
    expect(keptBySampling(0.25, ["40000000000000000000000000000000"])).toBe(false);
  });

  it("keeps a line about several traces when any of them is kept", () => {
    expect(keptBySampling(0.25, ["f0000000000000000000000000000000", "10000000000000000000000000000000"])).toBe(true);
    expect(keptBySampling(0.25, ["f0000000000000000000000000000000", "e0000000000000000000000000000000"])).toBe(false);
  });

  it("keeps about the rate's share of random traces", () => {
    const ids = Array.from({ length: 4_000 }, (_, i) => ((i * 2_654_435_761) >>> 0).toString(16).padStart(8, "0") + "0".repeat(24));
    const kept = ids.filter((id) => keptBySampling(0.1, [id])).length / ids.length;
    expect(kept).toBeGreaterThan(0.08);
    expect(kept).toBeLessThan(0.12);
  });
});

describe("a command's line under sampling", () => {
  const dataset = (): MetricsDataset & { points: unknown[] } => {
    const points: unknown[] = [];
    return { points, writeDataPoint: (point) => void points.push(point) };
  };

  it("is left out for a trace sampled out, while its data point is still written", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const points = dataset();
    const accepted = { outcome: { ok: true as const, replayed: false, body: { streamId: "account/a-1", version: 2, events: [], token: "t" } } };
    const metrics = new Metrics(points);
    reportCommand({ metrics, request, trace: trace("f0000000000000000000000000000000"), end: accepted, durationMs: 3, logSampleRate: 0.5 });
    expect(log).not.toHaveBeenCalled();
    reportCommand({ metrics, request, trace: trace("10000000000000000000000000000000"), end: accepted, durationMs: 3, logSampleRate: 0.5 });
    expect(log).toHaveBeenCalledTimes(1);
    expect(points.points).toHaveLength(2);
  });

  it("is always written when the command failed", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const end = { thrown: new Error("disk on fire") };
    reportCommand({ metrics: new Metrics(dataset()), request, trace: trace("f0000000000000000000000000000000"), end, durationMs: 3, logSampleRate: 0 });
    expect(error).toHaveBeenCalledTimes(1);
    expect(JSON.parse(error.mock.calls[0]![0] as string)).toMatchObject({ event: "command", outcome: "failed", level: "error" });
  });
});
