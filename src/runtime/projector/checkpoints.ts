import { describeError, writeLog } from "../observability/index.js";

/** Per-stream versions to read: a subscriber's checkpoints, or a rebuild's shadow checkpoints. */
export interface StreamVersionsQuery {
  readonly db: D1Database;
  /** The table and the column its key is in. */
  readonly from: { readonly table: "projection_checkpoints"; readonly keyColumn: "projection" } | { readonly table: "rebuild_streams"; readonly keyColumn: "rebuild_id" };
  /** The subscriber's name, or the rebuild's id. */
  readonly key: string;
  readonly streamIds: readonly string[];
}

/**
 * Per-stream versions from one table for one key, in one query however many streams: the ids
 * travel as one JSON parameter, where an `IN (?, ?, …)` list took a query per 99 streams (D1 binds
 * at most 100 parameters). A stream without a row is absent.
 */
export async function streamVersions({ db, from: { table, keyColumn }, key, streamIds }: StreamVersionsQuery): Promise<Map<string, number>> {
  const versions = new Map<string, number>();
  if (streamIds.length === 0) return versions;
  const { results } = await db
    // CROSS JOIN keeps json_each outside: one primary-key probe per id, never a scan of the key's rows.
    .prepare(`SELECT t.stream_id, t.version FROM json_each(?2) AS ids CROSS JOIN ${table} AS t WHERE t.${keyColumn} = ?1 AND t.stream_id = ids.value`)
    .bind(key, JSON.stringify(streamIds))
    .all<{ stream_id: string; version: number }>();
  for (const row of results) versions.set(row.stream_id, row.version);
  return versions;
}

/** The checkpoints of `subscriber` for the given streams; a missing stream is at 0. */
export async function readCheckpoints(db: D1Database, subscriber: string, streamIds: readonly string[]): Promise<Map<string, number>> {
  const found = await streamVersions({ db, from: { table: "projection_checkpoints", keyColumn: "projection" }, key: subscriber, streamIds });
  return new Map(streamIds.map((id) => [id, found.get(id) ?? 0]));
}

/** One stream's checkpoint move: from `expected` (the version applied so far) to `next`. */
export interface CheckpointMove {
  readonly streamId: string;
  readonly expected: number;
  readonly next: number;
}

/**
 * Moves the checkpoints of one or many streams in at most three statements, or aborts the whole D1
 * batch they are part of: if another consumer moved a checkpoint since it was read, a guard writes
 * an impossible row, the batch rolls back and nothing is applied twice. A statement per stream
 * made the checkpoints a third of a projector's writes (docs/performance.md); the moves travel as
 * one JSON parameter. Streams seen for the first time are inserted, and a row someone else wrote
 * meanwhile turns the upsert's UPDATE arm into -1, which the table's CHECK refuses (the guard sits
 * in the UPDATE arm only: SQLite checks the inserted row's constraints before it detects the
 * conflict). For the others a guard inserts -1 (refused by the CHECK, or a duplicate key) for any
 * stream whose checkpoint is not exactly the expected one, then one upsert moves them all. Each
 * stream may appear once.
 */
export function advanceCheckpoints(db: D1Database, subscriber: string, moves: readonly CheckpointMove[]): D1PreparedStatement[] {
  const first = moves.filter((m) => m.expected === 0).map((m) => [m.streamId, m.next]);
  const later = moves.filter((m) => m.expected > 0).map((m) => [m.streamId, m.expected, m.next]);
  const statements: D1PreparedStatement[] = [];
  if (first.length > 0) {
    statements.push(
      db
        .prepare(
          `INSERT INTO projection_checkpoints (projection, stream_id, version)
           SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?2) WHERE true
           ON CONFLICT (projection, stream_id) DO UPDATE SET
             version = CASE WHEN projection_checkpoints.version = 0 THEN excluded.version ELSE -1 END`,
        )
        .bind(subscriber, JSON.stringify(first)),
    );
  }
  if (later.length > 0) {
    const moved = JSON.stringify(later);
    statements.push(
      db
        .prepare(
          `INSERT INTO projection_checkpoints (projection, stream_id, version)
           SELECT ?1, json_extract(m.value, '$[0]'), -1 FROM json_each(?2) AS m
           WHERE NOT EXISTS (
             SELECT 1 FROM projection_checkpoints AS c
             WHERE c.projection = ?1 AND c.stream_id = json_extract(m.value, '$[0]') AND c.version = json_extract(m.value, '$[1]'))`,
        )
        .bind(subscriber, moved),
      // Every row exists at its expected version once the guard passed: an upsert driven by the
      // moves probes each by primary key (an UPDATE … FROM may scan the subscriber's rows instead).
      db
        .prepare(
          `INSERT INTO projection_checkpoints (projection, stream_id, version)
           SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[2]') FROM json_each(?2) WHERE true
           ON CONFLICT (projection, stream_id) DO UPDATE SET version = excluded.version`,
        )
        .bind(subscriber, moved),
    );
  }
  return statements;
}

/** Records streams in the catalog the first time any subscriber sees them, in one statement. */
export function catalogStreams(db: D1Database, streams: readonly { readonly streamId: string; readonly aggregate: string }[], now: string): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO stream_catalog (stream_id, aggregate, first_seen_at)
       SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), ?2 FROM json_each(?1) WHERE true
       ON CONFLICT DO NOTHING`,
    )
    .bind(JSON.stringify(streams.map((s) => [s.streamId, s.aggregate])), now);
}

/** Why a subscriber's stream failed, from which version. */
export interface Failure {
  readonly db: D1Database;
  readonly subscriber: string;
  readonly streamId: string;
  /** The first version that could not be applied. */
  readonly version: number;
  readonly error: unknown;
}

/** Remembers why a stream's messages failed, for the dead-letter record. Best effort. */
export async function recordFailure({ db, subscriber, streamId, version, error }: Failure): Promise<void> {
  const text = describeError(error);
  await db
    .prepare(
      `INSERT INTO projection_errors (projection, stream_id, version, error, failed_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (projection, stream_id) DO UPDATE SET version = excluded.version, error = excluded.error, failed_at = excluded.failed_at`,
    )
    .bind(subscriber, streamId, version, text.slice(0, 2000), new Date().toISOString())
    .run()
    .catch((e: unknown) =>
      writeLog("error", {
        event: "projector.failure-not-recorded",
        msg: `${subscriber}: could not record the failure of ${streamId}`,
        subscriber,
        streamId,
        version,
        error: describeError(e),
      }),
    );
}

/**
 * Records how far behind a subscriber ran in the batch it just finished: the age of the batch's
 * oldest message when the batch completed. One small upsert per batch, best effort.
 */
export async function recordBatchLag(db: D1Database, subscriber: string, messages: readonly Message<unknown>[]): Promise<void> {
  const statement = batchLagStatement(db, subscriber, messages);
  if (!statement) return;
  await statement.run().catch((e: unknown) => reportLagNotRecorded(subscriber, e));
}

/** The lag record is best effort: a failed one is a `projector.lag-not-recorded` line, never a failed batch. */
export function reportLagNotRecorded(subscriber: string, error: unknown): void {
  writeLog("error", { event: "projector.lag-not-recorded", msg: `${subscriber}: could not record the batch's lag`, subscriber, error: describeError(error) });
}

/** The upsert of {@link recordBatchLag}, for a caller that has a D1 batch to add it to; none for an empty batch. */
export function batchLagStatement(db: D1Database, subscriber: string, messages: readonly Message<unknown>[]): D1PreparedStatement | undefined {
  if (messages.length === 0) return undefined;
  const now = Date.now();
  const oldest = Math.min(...messages.map((m) => m.timestamp.getTime()));
  return db
    .prepare(
      `INSERT INTO projection_stats (projection, last_batch_at, last_lag_ms, messages) VALUES (?1, ?2, ?3, ?4)
       ON CONFLICT (projection) DO UPDATE SET last_batch_at = ?2, last_lag_ms = ?3, messages = messages + ?4`,
    )
    .bind(subscriber, new Date(now).toISOString(), Math.max(0, now - oldest), messages.length);
}
