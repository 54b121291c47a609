/**
 * A process-manager instance's SQLite layout, as ordered migration steps, like the aggregate
 * object's store: step `i` takes a database at schema version `i` to `i + 1`, a released step is
 * never edited, and an instance written by an older edge-cqrs is upgraded in place when it wakes.
 */
export const INSTANCE_MIGRATIONS: readonly string[] = [
  // 1: state, per-stream high-water marks, timers, the command outbox and what it could not deliver.
  `CREATE TABLE instance (
    id INTEGER PRIMARY KEY CHECK (id = 1), manager TEXT NOT NULL, instance_key TEXT NOT NULL,
    state TEXT NOT NULL, messages INTEGER NOT NULL, updated_at TEXT NOT NULL);
  CREATE TABLE stream_marks (stream_id TEXT PRIMARY KEY, version INTEGER NOT NULL);
  CREATE TABLE timers (
    id TEXT PRIMARY KEY, at INTEGER NOT NULL, payload TEXT NOT NULL, cause TEXT NOT NULL,
    due INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT);
  CREATE INDEX timers_by_due ON timers (due, id);
  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, command_id TEXT NOT NULL UNIQUE, request TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, due INTEGER NOT NULL, last_error TEXT);
  CREATE TABLE rejections (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, command_id TEXT NOT NULL, request TEXT NOT NULL,
    status INTEGER NOT NULL, body TEXT NOT NULL, rejected_at TEXT NOT NULL);
  CREATE TABLE decisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, message TEXT NOT NULL, commands TEXT NOT NULL,
    timers TEXT NOT NULL, decided_at TEXT NOT NULL);`,
  // 2: outcomes of sent commands waiting to be decided on, keyed by the command's outbox sequence
  // number, so they are decided in the order the commands were sent.
  `CREATE TABLE outcomes (
    seq INTEGER PRIMARY KEY, message TEXT NOT NULL, cause TEXT NOT NULL,
    due INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT);`,
];

/** The schema version this code writes. */
export const INSTANCE_SCHEMA_VERSION = INSTANCE_MIGRATIONS.length;

/** The instance's schema version: 0 when nothing was ever stored. Reads `sqlite_master` only, so asking creates nothing. */
export function storedInstanceSchema(sql: SqlStorage): number {
  const table = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'instance_schema'").one();
  if (table.n === 0) return 0;
  return sql.exec<{ version: number }>("SELECT version FROM instance_schema").one().version;
}

/** Applies the steps after `from`, in order, and records the version reached. Call inside a transaction. */
export function migrateInstance(sql: SqlStorage, from: number): void {
  if (from > INSTANCE_SCHEMA_VERSION) throw new Error(`instance storage is at schema ${from}, newer than this edge-cqrs (${INSTANCE_SCHEMA_VERSION})`);
  if (from === INSTANCE_SCHEMA_VERSION) return;
  for (const step of INSTANCE_MIGRATIONS.slice(from)) sql.exec(step);
  sql.exec("CREATE TABLE IF NOT EXISTS instance_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)");
  sql.exec("INSERT INTO instance_schema (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version", INSTANCE_SCHEMA_VERSION);
}
