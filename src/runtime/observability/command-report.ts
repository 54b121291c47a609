import type { CommandOutcome, CommandRequest } from "../aggregate-protocol/index.js";
import type { CommandOutcomeName, Metrics } from "./metrics.js";
import { describeError, keptBySampling, writeLog, type LogLevel } from "./structured-log.js";
import type { TraceContext } from "./trace-context.js";

/** How a command ended: its answer, or the error it threw (a decider bug, storage failing). */
export type CommandEnd = { readonly outcome: CommandOutcome } | { readonly thrown: unknown };

/** The outcome's name in logs and metrics: a handful of values to group on, the error code beside it for detail. */
export function outcomeName(end: CommandEnd): CommandOutcomeName {
  if ("thrown" in end) return "failed";
  const { outcome } = end;
  if (outcome.ok) return outcome.replayed ? "idempotent-replay" : "accepted";
  if (outcome.body.error === "rejected") return "rejected";
  if (outcome.body.error === "version_conflict") return "conflict";
  return outcome.status >= 500 ? "failed" : "invalid";
}

/**
 * Only a command the runtime failed is an error. The domain refusing a command, a stale If-Match
 * or a malformed request is the system working as it should: counted and queryable, never a warning.
 */
const LEVELS: Record<CommandOutcomeName, LogLevel> = {
  accepted: "info",
  "idempotent-replay": "info",
  rejected: "info",
  conflict: "info",
  invalid: "info",
  failed: "error",
};

/** One command as it ended, to report. */
export interface CommandReport {
  readonly metrics: Metrics;
  readonly request: CommandRequest;
  readonly trace: TraceContext;
  readonly end: CommandEnd;
  readonly durationMs: number;
  /** Share of traces whose info lines are written (RuntimeOptions.logs); default 1, every one. */
  readonly logSampleRate?: number;
}

/**
 * Writes the one `command` line of a command, where its outcome is known (the aggregate's object),
 * and its data point. Every command is followable by its `traceId`, which its events carry on in
 * `metadata.traceparent`.
 */
export function reportCommand({ metrics, request, trace, end, durationMs, logSampleRate = 1 }: CommandReport): void {
  const outcome = outcomeName(end);
  const streamId = `${request.aggregate}/${request.id}`;
  const success = "outcome" in end && end.outcome.ok ? end.outcome.body : undefined;
  const refusal = "outcome" in end && !end.outcome.ok ? end.outcome : undefined;
  const error = refusal?.body.error ?? ("thrown" in end ? "internal_error" : undefined);
  const reason = typeof refusal?.body["reason"] === "string" ? refusal.body["reason"] : undefined;
  const version = success?.version ?? (typeof refusal?.body["actual"] === "number" ? refusal.body["actual"] : undefined);
  const events = outcome === "accepted" ? (success?.events.length ?? 0) : 0;
  metrics.command({
    aggregate: request.aggregate,
    command: request.command,
    outcome,
    error: error ?? "",
    reason: reason ?? "",
    traceId: trace.traceId,
    durationMs,
    events,
    version: version ?? 0,
  });
  // Metrics count every command; an info line may be sampled out (RuntimeOptions.logs), a failure's never.
  if (LEVELS[outcome] === "info" && !keptBySampling(logSampleRate, [trace.traceId])) return;
  writeLog(LEVELS[outcome], {
    event: "command",
    msg: `${streamId} ${request.command}: ${outcome}${error ? ` (${reason ?? error})` : ""}${version !== undefined ? ` at version ${version}` : ""}`,
    outcome,
    aggregate: request.aggregate,
    streamId,
    command: request.command,
    commandId: request.commandId,
    correlationId: request.correlationId ?? request.commandId,
    causationId: request.causationId ?? request.commandId,
    actor: request.actor?.id,
    version,
    firstVersion: events > 0 ? success!.events[0]!.version : undefined,
    events,
    expectedVersion: request.expectedVersion,
    status: refusal?.status ?? ("thrown" in end ? 500 : 200),
    error,
    reason,
    message: refusal?.body.message ?? ("thrown" in end ? describeError(end.thrown) : undefined),
    durationMs,
    traceparent: trace.traceparent,
    traceId: trace.traceId,
    spanId: trace.spanId,
  });
}

/** Names from a request path are cut to this many characters on a log line: they come from outside. */
const MAX_LOGGED_NAME = 128;

/** A command the HTTP edge refused before it reached its aggregate (unknown route, malformed id, header or body). */
export interface EdgeRefusal {
  readonly aggregate: string;
  readonly id: string;
  readonly command: string;
  /** Whether the aggregate and command name definitions: only then is a data point written, so outside names never become metric values. */
  readonly known: boolean;
  readonly status: number;
  readonly error: string;
  readonly message: string;
}

/**
 * The `command` line of a command refused at the HTTP edge, so that the trace id its answer names
 * finds it too. Same event and fields as {@link reportCommand}, with `refusedAt: "edge"`.
 */
export function reportEdgeRefusal(metrics: Metrics, refusal: EdgeRefusal, trace: TraceContext, logSampleRate = 1): void {
  const outcome: CommandOutcomeName = refusal.status >= 500 ? "failed" : "invalid";
  const aggregate = refusal.aggregate.slice(0, MAX_LOGGED_NAME);
  const command = refusal.command.slice(0, MAX_LOGGED_NAME);
  if (refusal.known) metrics.command({ aggregate, command, outcome, error: refusal.error, reason: "", traceId: trace.traceId, durationMs: 0, events: 0, version: 0 });
  if (LEVELS[outcome] === "info" && !keptBySampling(logSampleRate, [trace.traceId])) return;
  const streamId = `${aggregate}/${refusal.id.slice(0, MAX_LOGGED_NAME)}`;
  writeLog(LEVELS[outcome], {
    event: "command",
    msg: `${streamId} ${command}: ${outcome} (${refusal.error}) at the HTTP edge`,
    outcome,
    refusedAt: "edge",
    aggregate,
    streamId,
    command,
    events: 0,
    status: refusal.status,
    error: refusal.error,
    message: refusal.message,
    durationMs: 0,
    traceparent: trace.traceparent,
    traceId: trace.traceId,
    spanId: trace.spanId,
  });
}
