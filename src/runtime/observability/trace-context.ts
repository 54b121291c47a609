/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/#traceparent-header): one trace id
 * follows a command from its HTTP request onto its events, into the projectors' and process
 * managers' logs, and onto the commands a process manager issues.
 */

/** A position in a trace: which trace, which span, and the caller's span when there is one. */
export interface TraceContext {
  /** 32 lowercase hex digits, never all zeros: what to search the logs for. */
  readonly traceId: string;
  /** 16 lowercase hex digits, never all zeros: this unit of work. */
  readonly spanId: string;
  /** The span this one continues (the caller's), when the trace came in from outside. */
  readonly parentSpanId?: string;
  /** The trace flags byte as two hex digits; `01` means sampled. */
  readonly flags: string;
  /** `00-<traceId>-<spanId>-<flags>`: the header value, and what events carry as `metadata.traceparent`. */
  readonly traceparent: string;
}

/** The traceparent header and metadata key. */
export const TRACEPARENT = "traceparent";

/** The only version this runtime writes; later versions are read by their first four fields, as the spec asks. */
const VERSION = "00";
/** A trace the runtime starts records everything: its logs are not sampled, so it says so downstream. */
const SAMPLED = "01";

const HEX_VERSION = /^[0-9a-f]{2}$/;
const HEX_TRACE_ID = /^[0-9a-f]{32}$/;
const HEX_SPAN_ID = /^[0-9a-f]{16}$/;
const HEX_FLAGS = /^[0-9a-f]{2}$/;
const ZERO_TRACE_ID = "0".repeat(32);
const ZERO_SPAN_ID = "0".repeat(16);

/** The fields of a valid traceparent value, or undefined when it is not one (then it is ignored). */
export function parseTraceparent(value: string | null | undefined): { traceId: string; spanId: string; flags: string } | undefined {
  if (typeof value !== "string") return undefined;
  const header = value.trim();
  const [version, traceId, spanId, flags, ...rest] = header.split("-");
  if (version === undefined || traceId === undefined || spanId === undefined || flags === undefined) return undefined;
  if (!HEX_VERSION.test(version) || version === "ff") return undefined;
  // Version 00 is exactly four fields; a later version may append fields after a dash.
  if (version === VERSION ? rest.length > 0 : header.length > 55 && header[55] !== "-") return undefined;
  if (!HEX_TRACE_ID.test(traceId) || traceId === ZERO_TRACE_ID) return undefined;
  if (!HEX_SPAN_ID.test(spanId) || spanId === ZERO_SPAN_ID) return undefined;
  if (!HEX_FLAGS.test(flags)) return undefined;
  return { traceId, spanId, flags };
}

/** `00-<traceId>-<spanId>-<flags>`. */
export function formatTraceparent(traceId: string, spanId: string, flags: string): string {
  return `${VERSION}-${traceId}-${spanId}-${flags}`;
}

/**
 * The context of a new unit of work under `incoming`: a new span of the caller's trace when
 * `incoming` is a valid traceparent, otherwise (absent, malformed) a new trace, so every command
 * can be followed. A malformed value is never an error: tracing must not refuse a request.
 */
export function continueTrace(incoming: string | null | undefined): TraceContext {
  const parent = parseTraceparent(incoming);
  const spanId = randomHex(8, ZERO_SPAN_ID);
  if (!parent) return contextOf(randomHex(16, ZERO_TRACE_ID), spanId, SAMPLED);
  // Only bit 0 (sampled) is defined for version 00; other bits are not passed on.
  const flags = (Number.parseInt(parent.flags, 16) & 1).toString(16).padStart(2, "0");
  return { ...contextOf(parent.traceId, spanId, flags), parentSpanId: parent.spanId };
}

/**
 * The context a command already carries (`CommandRequest.traceparent`, set by the runtime), read
 * back as it is; a new trace when it carries none or an invalid one.
 */
export function adoptTrace(traceparent: string | undefined): TraceContext {
  const own = parseTraceparent(traceparent);
  return own ? contextOf(own.traceId, own.spanId, own.flags) : continueTrace(undefined);
}

/** The trace id in a traceparent value, or undefined when it is not a valid one. */
export function traceIdOf(traceparent: unknown): string | undefined {
  return typeof traceparent === "string" ? parseTraceparent(traceparent)?.traceId : undefined;
}

function contextOf(traceId: string, spanId: string, flags: string): TraceContext {
  return { traceId, spanId, flags, traceparent: formatTraceparent(traceId, spanId, flags) };
}

/** `bytes` random bytes as lowercase hex, drawn again in the (2^-64) case they are all zeros, which the spec forbids. */
function randomHex(bytes: number, zero: string): string {
  for (;;) {
    const hex = Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
    if (hex !== zero) return hex;
  }
}
