/**
 * The runtime's own tables in every read database (checkpoints, stream catalog, failures, dead
 * letters, batch stats). They ship with the package and create themselves: an application's
 * migrations hold only its views, and upgrading edge-cqrs brings its schema changes along.
 *
 * Each step runs in one D1 batch (a transaction) together with the version it reaches. Steps must
 * be idempotent (`IF NOT EXISTS`), because two isolates starting at once may both run one.
 */
const STEPS: readonly (readonly string[])[] = [
  [
    // One row per (subscriber, stream): the highest version applied, written in the same batch as
    // the view change it accounts for. The CHECK turns a lost race into an aborted batch: the
    // guarded upsert writes -1 when another consumer moved the checkpoint first.
    `CREATE TABLE IF NOT EXISTS projection_checkpoints (
       projection TEXT NOT NULL, stream_id TEXT NOT NULL, version INTEGER NOT NULL CHECK (version >= 0),
       PRIMARY KEY (projection, stream_id)) WITHOUT ROWID`,
    // Every stream any subscriber has seen: Durable Objects cannot be listed.
    `CREATE TABLE IF NOT EXISTS stream_catalog (
       stream_id TEXT PRIMARY KEY, aggregate TEXT NOT NULL, first_seen_at TEXT NOT NULL) WITHOUT ROWID`,
    "CREATE INDEX IF NOT EXISTS stream_catalog_by_aggregate ON stream_catalog (aggregate, stream_id)",
    // The last error a subscriber met on a stream, so a parked message can say why it was parked.
    `CREATE TABLE IF NOT EXISTS projection_errors (
       projection TEXT NOT NULL, stream_id TEXT NOT NULL, version INTEGER NOT NULL, error TEXT NOT NULL,
       failed_at TEXT NOT NULL, PRIMARY KEY (projection, stream_id)) WITHOUT ROWID`,
    // Messages a subscriber's dead-letter queue received, visible and replayable from the admin API.
    // A quarantined row is kept for an operator and never replayed: its body is not an envelope
    // that fits a queue message, or the consumer could not store it (the body is then in the logs).
    `CREATE TABLE IF NOT EXISTS dead_letters (
       message_id TEXT PRIMARY KEY, projection TEXT NOT NULL, stream_id TEXT, version INTEGER,
       body TEXT NOT NULL, error TEXT, parked_at TEXT NOT NULL, quarantined_at TEXT, quarantine_reason TEXT)`,
    "CREATE INDEX IF NOT EXISTS dead_letters_by_projection ON dead_letters (projection, parked_at)",
    "CREATE INDEX IF NOT EXISTS dead_letters_replayable ON dead_letters (projection, quarantined_at, parked_at, message_id)",
    // How far behind each subscriber runs: written once per consumed batch.
    `CREATE TABLE IF NOT EXISTS projection_stats (
       projection TEXT PRIMARY KEY, last_batch_at TEXT NOT NULL, last_lag_ms INTEGER NOT NULL,
       messages INTEGER NOT NULL) WITHOUT ROWID`,
    // Events an aggregate's outbox gave up sending to a queue after its bounded attempts.
    `CREATE TABLE IF NOT EXISTS outbox_parked (
       queue TEXT NOT NULL, stream_id TEXT NOT NULL, version INTEGER NOT NULL, event_id TEXT NOT NULL,
       type TEXT NOT NULL, error TEXT NOT NULL, attempts INTEGER NOT NULL, parked_at TEXT NOT NULL,
       PRIMARY KEY (queue, stream_id, version)) WITHOUT ROWID`,
  ],
  [
    // Every stream's head (its newest version and when that event was recorded), written by the
    // runtime's stream-catalog consumer from the outbox's catalog route, whether or not any
    // subscriber follows the stream. A table of its own rather than columns on stream_catalog:
    // ADD COLUMN has no IF NOT EXISTS, and two isolates may run this step at once.
    `CREATE TABLE IF NOT EXISTS stream_heads (
       stream_id TEXT PRIMARY KEY, aggregate TEXT NOT NULL, version INTEGER NOT NULL,
       recorded_at TEXT NOT NULL) WITHOUT ROWID`,
    "CREATE INDEX IF NOT EXISTS stream_heads_by_aggregate ON stream_heads (aggregate, stream_id)",
  ],
  [
    // One row per projection that declares its tables: the view version its tables hold and its
    // rebuild, if one ran. `switch_guard` is never written non-zero: a rebuild's guarded statements
    // (the switch, a failure, a stream job's checkpoint) set it to -1 when the rebuild is not the one
    // running or not caught up, which the CHECK refuses, aborting their whole D1 batch.
    `CREATE TABLE IF NOT EXISTS projection_state (
       projection TEXT PRIMARY KEY, version INTEGER NOT NULL, state TEXT NOT NULL,
       rebuild_id TEXT, target_version INTEGER, plan_cursor TEXT, planned INTEGER NOT NULL DEFAULT 0,
       total INTEGER NOT NULL DEFAULT 0, started_at TEXT, touched_at TEXT, failed_at TEXT, reason TEXT,
       switch_guard INTEGER NOT NULL DEFAULT 0 CHECK (switch_guard >= 0)) WITHOUT ROWID`,
    // A rebuild's checkpoints, one per stream queued for it: the shadow tables' counterpart of
    // projection_checkpoints, moved by the same guarded upsert.
    `CREATE TABLE IF NOT EXISTS rebuild_streams (
       rebuild_id TEXT NOT NULL, stream_id TEXT NOT NULL, version INTEGER NOT NULL CHECK (version >= 0),
       target INTEGER, caught_up INTEGER NOT NULL DEFAULT 0, queued_at TEXT NOT NULL,
       PRIMARY KEY (rebuild_id, stream_id)) WITHOUT ROWID`,
    "CREATE INDEX IF NOT EXISTS rebuild_streams_pending ON rebuild_streams (rebuild_id, caught_up, queued_at)",
  ],
  [
    // The sweep asks, per stream behind, whether a dead letter of it waits for replay.
    "CREATE INDEX IF NOT EXISTS dead_letters_by_stream ON dead_letters (projection, stream_id, version)",
  ],
];

/** The schema version this build of the runtime expects. */
export const RUNTIME_TABLES_VERSION = STEPS.length;

/**
 * The runtime's tables as one runtime uses them: each database is brought up to
 * {@link RUNTIME_TABLES_VERSION} once, then every later call costs nothing. Each runtime has its
 * own (RuntimeContext); two runtimes in one isolate each check a database once.
 */
export class RuntimeTables {
  private readonly ready = new WeakMap<D1Database, Promise<void>>();

  /**
   * Brings the runtime's tables in `db` up to {@link RUNTIME_TABLES_VERSION}: one read per runtime
   * and database once they are current. A failure is not remembered, so the next call tries again.
   */
  ensure(db: D1Database): Promise<void> {
    let pending = this.ready.get(db);
    if (!pending) {
      pending = migrateRuntimeTables(db).catch((error: unknown) => {
        this.ready.delete(db);
        throw error;
      });
      this.ready.set(db, pending);
    }
    return pending;
  }

  /**
   * The D1 database bound as `binding`, with the runtime's tables in it: how every part of the
   * runtime that reads or writes them gets its database. A missing binding fails loudly, naming it.
   */
  async database(env: object, binding: string, neededBy: string): Promise<D1Database> {
    const db = (env as Record<string, unknown>)[binding] as D1Database | undefined;
    if (!db || typeof db.batch !== "function") throw new Error(`D1 binding ${binding} (for ${neededBy}) is missing from wrangler.toml`);
    await this.ensure(db);
    return db;
  }
}

/** Brings the runtime's tables in `db` up to {@link RUNTIME_TABLES_VERSION}, reading their version first; safe to run again. */
export async function migrateRuntimeTables(db: D1Database): Promise<void> {
  const [, current] = await db.batch<{ version: number }>([
    db.prepare("CREATE TABLE IF NOT EXISTS edge_cqrs_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)"),
    db.prepare("SELECT version FROM edge_cqrs_schema"),
  ]);
  const from = current?.results[0]?.version ?? 0;
  for (let version = from + 1; version <= STEPS.length; version++) {
    await db.batch([
      ...STEPS[version - 1]!.map((sql) => db.prepare(sql)),
      db
        .prepare("INSERT INTO edge_cqrs_schema (id, version) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET version = MAX(version, ?1)")
        .bind(version),
    ]);
  }
}
