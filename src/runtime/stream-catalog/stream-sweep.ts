import type { AggregateClient } from "../aggregate-client/index.js";
import type { EventEnvelope } from "../envelope/index.js";
import { writeLog } from "../observability/index.js";
import { byteLength, MAX_BATCH_BYTES, MAX_BATCH_MESSAGES } from "../outbox/index.js";
import type { Subscription } from "../subscription/index.js";

/**
 * How long a stream's head may stay unapplied before the sweep heals it. Well above the
 * milliseconds a healthy queue takes and the seconds a catch-up's requeue waits, so the sweep only
 * touches streams whose message was lost (a dropped in-memory queue, a message past retention).
 */
export const SWEEP_GRACE_MS = 60_000;
/**
 * Streams healed per subscriber per run: one object read each and one `sendBatch` of at most 100
 * messages, so a run stays bounded however many streams are behind; the next run takes the rest.
 */
export const MAX_STREAMS_SWEPT_PER_SUBSCRIBER = MAX_BATCH_MESSAGES;

/** What a sweep did for one subscriber. */
export interface SweepReport {
  readonly subscriber: string;
  readonly healed: number;
}

/** One subscriber's sweep, and what it takes. */
export interface Sweep {
  readonly subscriber: Subscription;
  readonly db: D1Database;
  /** The subscriber's own queue, where the heads of streams left behind are sent. */
  readonly producer: Queue;
  /** Where those heads are read. */
  readonly aggregates: AggregateClient;
  /** The cron's scheduled time (ms since the epoch). */
  readonly now: number;
}

/**
 * Heals the streams `subscriber` stays behind on: for each head older than the grace period and
 * above its checkpoint, reads the head envelope from the aggregate and sends it to the
 * subscriber's own queue. The runner then heals the gap from the aggregate and applies it exactly
 * once, as for any late message.
 *
 * A stream is left alone while its message is still somewhere: a replayable dead letter above its
 * checkpoint waits for the operator's replay, and a failure recorded within the grace period is a
 * message still retrying. A failure older than that with no dead letter means the message was lost
 * while retrying (a restart dropped the local queue, a dead-letter message was dropped): only a
 * re-send heals the stream, so the sweep re-sends it like any other.
 */
export async function sweepSubscriber({ subscriber, db, producer, aggregates, now }: Sweep): Promise<SweepReport> {
  const cutoff = new Date(now - SWEEP_GRACE_MS).toISOString();
  const { results } = await db
    .prepare(
      `SELECT h.stream_id, h.aggregate, h.version FROM stream_heads h
       LEFT JOIN projection_checkpoints c ON c.projection = ?1 AND c.stream_id = h.stream_id
       WHERE h.aggregate IN (${subscriber.aggregates.map((_, i) => `?${i + 4}`).join(",")})
         AND h.version > COALESCE(c.version, 0) AND h.recorded_at < ?2
         AND NOT EXISTS (SELECT 1 FROM dead_letters d
                         WHERE d.projection = ?1 AND d.stream_id = h.stream_id AND d.quarantined_at IS NULL
                           AND d.version > COALESCE(c.version, 0))
         AND NOT EXISTS (SELECT 1 FROM projection_errors e
                         WHERE e.projection = ?1 AND e.stream_id = h.stream_id AND e.version > COALESCE(c.version, 0)
                           AND e.failed_at >= ?2)
       ORDER BY h.recorded_at LIMIT ?3`,
    )
    .bind(subscriber.name, cutoff, MAX_STREAMS_SWEPT_PER_SUBSCRIBER, ...subscriber.aggregates)
    .all<{ stream_id: string; aggregate: string; version: number }>();
  const heads: EventEnvelope[] = [];
  for (const row of results) {
    const id = row.stream_id.slice(row.aggregate.length + 1);
    const [head] = await aggregates.readRange(row.aggregate, id, row.version, row.version);
    if (head) heads.push(head);
  }
  for (const batch of byteBoundedBatches(heads)) {
    await producer.sendBatch(batch.map((body) => ({ body, contentType: "json" as const })));
  }
  if (heads.length > 0) {
    writeLog("warn", {
      event: "stream-sweep.resent",
      msg: `${subscriber.name}: sweep re-sent the heads of ${heads.length} streams left behind`,
      subscriber: subscriber.name,
      streams: heads.length,
    });
  }
  return { subscriber: subscriber.name, healed: heads.length };
}

function byteBoundedBatches(envelopes: readonly EventEnvelope[]): EventEnvelope[][] {
  const batches: EventEnvelope[][] = [];
  let current: EventEnvelope[] = [];
  let bytes = 0;
  for (const envelope of envelopes) {
    const size = byteLength(JSON.stringify(envelope));
    if (current.length > 0 && bytes + size > MAX_BATCH_BYTES) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(envelope);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
