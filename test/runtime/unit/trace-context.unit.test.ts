import { describe, expect, it } from "vitest";
import { adoptTrace, continueTrace, formatTraceparent, parseTraceparent, traceIdOf } from "../../../src/runtime/observability";

// W3C Trace Context, level 1 (https://www.w3.org/TR/trace-context/#traceparent-header).

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN_ID = "00f067aa0ba902b7";
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;
const FORMAT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

describe("parseTraceparent", () => {
  it("reads the spec's example", () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, flags: "01" });
  });

  it("tolerates surrounding whitespace (HTTP optional whitespace)", () => {
    expect(parseTraceparent(` ${VALID}\t`)?.traceId).toBe(TRACE_ID);
  });

  it("reads a later version by its first four fields, with or without more after a dash", () => {
    expect(parseTraceparent(`cc-${TRACE_ID}-${SPAN_ID}-01`)).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, flags: "01" });
    expect(parseTraceparent(`cc-${TRACE_ID}-${SPAN_ID}-01-what-comes-next`)?.traceId).toBe(TRACE_ID);
  });

  it.each([
    ["absent", undefined],
    ["empty", ""],
    ["garbage", "hello"],
    ["version ff", `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ["a version that is not hex", `0g-${TRACE_ID}-${SPAN_ID}-01`],
    ["version 00 with a fifth field", `${VALID}-extra`],
    ["a later version glued to more characters", `cc-${TRACE_ID}-${SPAN_ID}-01x`],
    ["upper-case hex", VALID.toUpperCase()],
    ["a short trace id", `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
    ["an all-zero trace id", `00-${"0".repeat(32)}-${SPAN_ID}-01`],
    ["an all-zero parent id", `00-${TRACE_ID}-${"0".repeat(16)}-01`],
    ["flags that are not hex", `00-${TRACE_ID}-${SPAN_ID}-zz`],
    ["a missing field", `00-${TRACE_ID}-${SPAN_ID}`],
  ])("refuses %s", (_case, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });
});

describe("continueTrace", () => {
  it("keeps the caller's trace, starts a span of its own under the caller's, and keeps the sampled flag", () => {
    const sampled = continueTrace(VALID);
    expect(sampled).toMatchObject({ traceId: TRACE_ID, parentSpanId: SPAN_ID, flags: "01" });
    expect(sampled.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(sampled.spanId).not.toBe(SPAN_ID);
    expect(sampled.traceparent).toBe(formatTraceparent(TRACE_ID, sampled.spanId, "01"));
    expect(continueTrace(`00-${TRACE_ID}-${SPAN_ID}-00`).flags).toBe("00");
  });

  it("passes on only the sampled bit, the one flag version 00 defines", () => {
    expect(continueTrace(`00-${TRACE_ID}-${SPAN_ID}-ff`).flags).toBe("01");
    expect(continueTrace(`00-${TRACE_ID}-${SPAN_ID}-fe`).flags).toBe("00");
  });

  it("starts a new, sampled trace when there is none or it is invalid", () => {
    for (const incoming of [undefined, null, "", "nonsense", `00-${"0".repeat(32)}-${SPAN_ID}-01`]) {
      const started = continueTrace(incoming);
      expect(started.traceparent).toMatch(FORMAT);
      expect(started.flags).toBe("01");
      expect(started.parentSpanId).toBeUndefined();
      expect(parseTraceparent(started.traceparent)).toEqual({ traceId: started.traceId, spanId: started.spanId, flags: "01" });
    }
  });

  it("draws fresh ids every time", () => {
    const ids = new Set(Array.from({ length: 100 }, () => continueTrace(undefined).traceId));
    expect(ids.size).toBe(100);
  });
});

describe("adoptTrace", () => {
  it("reads a command's own traceparent back as it is", () => {
    expect(adoptTrace(VALID)).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, flags: "01", traceparent: VALID });
  });

  it("starts a trace for a command that carries none", () => {
    expect(adoptTrace(undefined).traceparent).toMatch(FORMAT);
  });
});

describe("traceIdOf", () => {
  it("is the trace id of a valid traceparent, and undefined for anything else", () => {
    expect(traceIdOf(VALID)).toBe(TRACE_ID);
    expect(traceIdOf("nope")).toBeUndefined();
    expect(traceIdOf(42)).toBeUndefined();
    expect(traceIdOf(undefined)).toBeUndefined();
  });
});
