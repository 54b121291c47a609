import type { Metrics } from "./metrics.js";
import { describeError, keptBySampling, writeLog, type LogLevel } from "./structured-log.js";
import { traceIdOf } from "./trace-context.js";

/**
 * Trace ids one batch line lists. A batch holds at most 100 messages (`max_batch_size`), so this
 * lists every event a batch carried; events healed past it (a long catch-up, mostly of old traces)
 * are counted in `traceIdsOmitted` instead, so a line stays well inside Workers Logs' 256 KB per invocation.
 */
export const MAX_TRACE_IDS_PER_LINE = 100;

/** An event as the report reads it: its version and where its trace is. */
interface ReportedEvent {
  readonly version: number;
  readonly metadata: { readonly traceparent?: string | undefined };
}

/** One stream's share of a batch, as the runners plan it (`StreamWork` has this shape). */
export interface ReportedStream {
  readonly streamId: string;
  readonly checkpoint: number;
  readonly target: number;
  readonly messages: readonly Message<unknown>[];
  /** After the run: the events applied from `checkpoint + 1`, healed ones included. */
  readonly events: readonly ReportedEvent[];
}

/** A stream of a batch that failed, and why. */
export interface StreamFailure {
  readonly streamId: string;
  /** The first version it could not apply. */
  readonly fromVersion: number;
  /** The last version the batch asked of it. */
  readonly toVersion: number;
  readonly error: unknown;
  /** The events it could not apply, whose trace ids the line lists. */
  readonly events?: readonly ReportedEvent[];
}

/** Who consumed the batch. */
export interface BatchSubscriber {
  readonly name: string;
  readonly kind: "projection" | "process-manager" | "publisher";
}

/**
 * What one subscriber did with one queue batch, written as one `projector.batch` line (and one
 * data point) when the batch ends: events applied, duplicates skipped, events read from the
 * aggregates to heal gaps, failed streams, duration, and the trace ids of the events applied, so
 * a trace id found on a command's line leads to the batch that brought its events to the view.
 * The runners tell it what they planned and what failed; the counts are derived from that.
 */
export class BatchReport {
  private readonly started = Date.now();
  private streams: readonly ReportedStream[] = [];
  private readonly failures = new Map<string, string>();
  private published = 0;

  constructor(
    private readonly subscriber: BatchSubscriber,
    private readonly batch: MessageBatch<unknown>,
    private readonly metrics: Metrics,
    /** Share of traces whose info lines are written (RuntimeOptions.logs); warnings and errors always are. */
    private readonly logSampleRate = 1,
  ) {}

  /** The batch's per-stream work, as planned (a stream planned again replaces its entry); read again when the batch ends. */
  planned(streams: readonly ReportedStream[]): void {
    const again = new Set(streams.map((s) => s.streamId));
    this.streams = [...this.streams.filter((s) => !again.has(s.streamId)), ...streams];
  }

  /**
   * Whether the batch took up a stream its subscriber had no checkpoint for, and did not fail it:
   * the only kind of batch that can complete a view still filling (docs/decisions.md, O9).
   */
  startedStreams(): boolean {
    return this.streams.some((s) => s.checkpoint === 0 && s.target > 0 && !this.failures.has(s.streamId));
  }

  /** A publisher's count of events it sent on (it plans no stream work). */
  sent(events: number): void {
    this.published += events;
  }

  /**
   * A stream failed from `fromVersion`: writes its error line now (with the trace ids of the
   * events it could not apply) and counts it in the batch line.
   */
  failed({ streamId, fromVersion, toVersion, error, events = [] }: StreamFailure): void {
    const text = describeError(error);
    this.failures.set(streamId, text);
    writeLog("error", {
      event: "projector.stream-failed",
      msg: `${this.subscriber.name}: ${streamId} failed at versions ${fromVersion}..${toVersion}: ${text}`,
      subscriber: this.subscriber.name,
      kind: this.subscriber.kind,
      streamId,
      fromVersion,
      toVersion,
      error: text,
      traceIds: distinctTraceIds(events).slice(0, MAX_TRACE_IDS_PER_LINE),
    });
  }

  /** Writes the batch line and its data point; `error` when the run itself threw. */
  finish(error?: unknown): void {
    const durationMs = Date.now() - this.started;
    const applied = this.streams.filter((s) => !this.failures.has(s.streamId) && s.target > s.checkpoint);
    const appliedEvents = applied.flatMap((s) => s.events);
    const traceIds = distinctTraceIds(this.streams.length > 0 ? appliedEvents : this.batch.messages.map((m) => envelopeLike(m.body)));
    const counts = {
      messages: this.batch.messages.length,
      streams: this.streams.length,
      applied: this.subscriber.kind === "publisher" ? this.published : appliedEvents.length,
      duplicates: this.streams.reduce((n, s) => n + duplicatesIn(s), 0),
      healed: this.streams.reduce((n, s) => n + healedIn(s), 0),
      failedStreams: this.failures.size,
    };
    const lagMs = oldestMessageAgeMs(this.batch.messages);
    const level: LogLevel = error !== undefined ? "error" : this.failures.size > 0 ? "warn" : "info";
    this.metrics.batch({ subscriber: this.subscriber.name, kind: this.subscriber.kind, queue: this.batch.queue, ...counts, durationMs, lagMs });
    if (level === "info" && !keptBySampling(this.logSampleRate, traceIds)) return;
    writeLog(level, {
      event: "projector.batch",
      msg: `${this.subscriber.name}: ${counts.applied} applied, ${counts.duplicates} duplicates, ${counts.healed} healed, ${counts.failedStreams} failed streams (${counts.messages} messages)`,
      subscriber: this.subscriber.name,
      kind: this.subscriber.kind,
      queue: this.batch.queue,
      ...counts,
      failed: this.failures.size > 0 ? [...this.failures.keys()] : undefined,
      error: error === undefined ? undefined : describeError(error),
      durationMs,
      lagMs,
      traceIds: traceIds.slice(0, MAX_TRACE_IDS_PER_LINE),
      traceIdsOmitted: traceIds.length > MAX_TRACE_IDS_PER_LINE ? traceIds.length - MAX_TRACE_IDS_PER_LINE : undefined,
    });
  }
}

/** Messages already applied before (version ≤ checkpoint) or carrying a version another message of the batch carries too. */
function duplicatesIn(stream: ReportedStream): number {
  const fresh = new Set(versionsCarried(stream).filter((v) => v > stream.checkpoint));
  return stream.messages.length - fresh.size;
}

/** Events applied that no message of the batch carried: read from the aggregate to fill a gap. */
function healedIn(stream: ReportedStream): number {
  const carried = new Set(versionsCarried(stream));
  return stream.events.filter((e) => !carried.has(e.version)).length;
}

function versionsCarried(stream: ReportedStream): number[] {
  return stream.messages.map((m) => envelopeLike(m.body).version).filter((v) => v > 0);
}

function distinctTraceIds(events: readonly ReportedEvent[]): string[] {
  const ids = new Set<string>();
  for (const event of events) {
    const id = traceIdOf(event.metadata.traceparent);
    if (id !== undefined) ids.add(id);
  }
  return [...ids];
}

/** The version and traceparent of a message body, read defensively: a malformed body has neither. */
function envelopeLike(body: unknown): ReportedEvent {
  const envelope = body as { version?: unknown; metadata?: { traceparent?: unknown } } | null;
  const version = typeof envelope?.version === "number" ? envelope.version : 0;
  const traceparent = envelope?.metadata?.traceparent;
  return { version, metadata: { traceparent: typeof traceparent === "string" ? traceparent : undefined } };
}

function oldestMessageAgeMs(messages: readonly Message<unknown>[]): number {
  if (messages.length === 0) return 0;
  const oldest = Math.min(...messages.map((m) => m.timestamp.getTime()));
  return Math.max(0, Date.now() - oldest);
}
