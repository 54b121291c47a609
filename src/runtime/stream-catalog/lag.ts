/** How far a subscriber is behind the catalog's heads. */
export interface Lag {
  /** Sum over streams of head version minus checkpoint. */
  readonly events: number;
  /** Streams whose checkpoint is below their head. */
  readonly streams: number;
  /** Age of the oldest head not yet applied; 0 when level. */
  readonly oldestMs: number;
}

/**
 * The lag of `subscriber` over the streams of `aggregates`: one query joining the catalog's heads
 * with the subscriber's checkpoints in its own database. It reads every head of the followed
 * aggregates (see docs/limits.md, Operations).
 */
export async function readLag(db: D1Database, subscriber: string, aggregates: readonly string[], now: number): Promise<Lag> {
  const row = await db
    .prepare(
      `SELECT COALESCE(SUM(h.version - COALESCE(c.version, 0)), 0) AS events, COUNT(*) AS streams, MIN(h.recorded_at) AS oldest
       FROM stream_heads h LEFT JOIN projection_checkpoints c ON c.projection = ?1 AND c.stream_id = h.stream_id
       WHERE h.aggregate IN (${aggregates.map((_, i) => `?${i + 2}`).join(",")}) AND h.version > COALESCE(c.version, 0)`,
    )
    .bind(subscriber, ...aggregates)
    .first<{ events: number; streams: number; oldest: string | null }>();
  const oldest = row?.oldest ? Date.parse(row.oldest) : Number.NaN;
  return {
    events: Number(row?.events ?? 0),
    streams: Number(row?.streams ?? 0),
    oldestMs: Number.isNaN(oldest) ? 0 : Math.max(0, now - oldest),
  };
}
