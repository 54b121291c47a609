import { describeError, writeLog } from "./structured-log.js";

/**
 * Analytics Engine keeps at most 96 bytes of index per data point
 * (https://developers.cloudflare.com/analytics/analytics-engine/limits/); names are cut to fit.
 */
export const MAX_METRIC_INDEX_BYTES = 96;

/** The write side of an Analytics Engine dataset binding: all the runtime uses of it. */
export interface MetricsDataset {
  writeDataPoint(point: { blobs?: string[]; doubles?: number[]; indexes?: string[] }): void;
}

/** How a command ended, as logs and metrics name it. */
export type CommandOutcomeName = "accepted" | "idempotent-replay" | "rejected" | "conflict" | "invalid" | "failed";

/** One command, as the aggregate object saw it end. */
export interface CommandPoint {
  readonly aggregate: string;
  readonly command: string;
  readonly outcome: CommandOutcomeName;
  /** The error code of a refusal (`rejected`, `version_conflict`, `invalid_command`, …); empty when accepted. */
  readonly error: string;
  /** The domain's stable rejection reason, for `rejected`. */
  readonly reason: string;
  readonly traceId: string;
  readonly durationMs: number;
  readonly events: number;
  /** The stream's version after the command, 0 when not known. */
  readonly version: number;
}

/** One queue batch of one subscriber. */
export interface BatchPoint {
  readonly subscriber: string;
  readonly kind: string;
  readonly queue: string;
  readonly messages: number;
  readonly applied: number;
  readonly duplicates: number;
  readonly healed: number;
  readonly failedStreams: number;
  readonly durationMs: number;
  /** Age of the batch's oldest message when the batch finished. */
  readonly lagMs: number;
}

/** A failed outbox send (`retry`) or an event the outbox gave up on (`parked`). */
export interface OutboxPoint {
  readonly aggregate: string;
  readonly streamId: string;
  readonly queue: string;
  readonly action: "retry" | "parked";
  readonly attempts: number;
  readonly delayMs: number;
}

/**
 * Writes the runtime's metrics to a Workers Analytics Engine dataset, when the application names
 * one (`bindings.metrics`); without it every write is a no-op. A data point's layout is fixed per
 * `blob1` and documented in docs/operations.md ("Metrics"): change it only by adding columns at
 * the end, so operators' queries keep working. Writing never throws: a metric must not fail a
 * command or a batch.
 */
export class Metrics {
  /** Writes nothing: no binding configured. */
  static readonly none = new Metrics(undefined);

  /** Writes to `dataset`; to nowhere when it is undefined. A runtime finds it with `MetricsBinding`. */
  constructor(private readonly dataset: MetricsDataset | undefined) {}

  /** Whether data points go anywhere. */
  get enabled(): boolean {
    return this.dataset !== undefined;
  }

  command(p: CommandPoint): void {
    this.write(p.aggregate, ["command", p.aggregate, p.command, p.outcome, p.error, p.reason, p.traceId], [1, p.durationMs, p.events, p.version]);
  }

  batch(p: BatchPoint): void {
    this.write(
      p.subscriber,
      ["batch", p.subscriber, p.kind, p.queue],
      [p.messages, p.applied, p.duplicates, p.healed, p.failedStreams, p.durationMs, p.lagMs],
    );
  }

  outbox(p: OutboxPoint): void {
    this.write(p.aggregate, ["outbox", p.aggregate, p.queue, p.action, p.streamId], [1, p.attempts, p.delayMs]);
  }

  /** How far a subscriber is behind the stream catalog's heads, as `GET /admin/projections` reports it. */
  lag(subscriber: string, lag: { readonly events: number; readonly streams: number; readonly oldestMs: number }): void {
    this.write(subscriber, ["lag", subscriber], [lag.events, lag.streams, lag.oldestMs]);
  }

  /** Messages a subscriber's dead-letter queue delivered to be parked in D1. */
  deadLetters(subscriber: string, messages: number): void {
    this.write(subscriber, ["dead-letters", subscriber], [messages]);
  }

  private write(index: string, blobs: string[], doubles: number[]): void {
    if (!this.dataset) return;
    try {
      this.dataset.writeDataPoint({ indexes: [cutToBytes(index, MAX_METRIC_INDEX_BYTES)], blobs, doubles });
    } catch (error) {
      const text = describeError(error);
      writeLog("warn", { event: "metrics.point-dropped", msg: `metrics: a ${blobs[0]} data point was not written: ${text}`, point: blobs[0], error: text });
    }
  }
}

const encoder = new TextEncoder();

function cutToBytes(text: string, max: number): string {
  if (encoder.encode(text).byteLength <= max) return text;
  let cut = text.slice(0, max);
  while (encoder.encode(cut).byteLength > max) cut = cut.slice(0, -1);
  return cut;
}
