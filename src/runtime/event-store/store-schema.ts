/**
 * The object's SQLite layout, as ordered migration steps. Step `i` takes a database at schema
 * version `i` to `i + 1`; a step is never edited once released, a change is a new step. Objects
 * store the version they reached in `store_schema`, so waking an object written by an older
 * edge-cqrs upgrades it in place and keeps every stored stream.
 */
export const STORE_MIGRATIONS: readonly string[] = [
  // 1: the layout of the first release (it carried no version table).
  `CREATE TABLE IF NOT EXISTS stream (id INTEGER PRIMARY KEY CHECK (id = 1), stream_id TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS events (
    version INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
    schema_version INTEGER NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS commands (
    command_id TEXT PRIMARY KEY, request_hash TEXT NOT NULL, response TEXT NOT NULL, recorded_at TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS outbox_cursors (queue TEXT PRIMARY KEY, version INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS snapshots (version INTEGER PRIMARY KEY, state TEXT NOT NULL, state_schema TEXT NOT NULL);`,
  // 2: the command log is pruned by age; the outbox counts failed attempts and parks what cannot be sent.
  `CREATE INDEX commands_by_recorded_at ON commands (recorded_at);
  ALTER TABLE outbox_cursors ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE outbox_parked (
    queue TEXT NOT NULL, version INTEGER NOT NULL, error TEXT NOT NULL, attempts INTEGER NOT NULL,
    parked_at TEXT NOT NULL, reported INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (queue, version));`,
];

/** The schema version this code writes. */
export const STORE_SCHEMA_VERSION = STORE_MIGRATIONS.length;

/**
 * The layout the migration steps reach, created in one script for a database that has none: a
 * new aggregate's first command pays for it, and replaying the steps cost it an `ALTER TABLE`
 * (which makes SQLite reload the whole schema) and four statements more. It must stay the same
 * layout as the steps produce; a test compares the two table by table, column by column.
 */
export const STORE_FRESH_SCHEMA = `CREATE TABLE stream (id INTEGER PRIMARY KEY CHECK (id = 1), stream_id TEXT NOT NULL);
  CREATE TABLE events (
    version INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
    schema_version INTEGER NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL);
  CREATE TABLE commands (
    command_id TEXT PRIMARY KEY, request_hash TEXT NOT NULL, response TEXT NOT NULL, recorded_at TEXT NOT NULL);
  CREATE INDEX commands_by_recorded_at ON commands (recorded_at);
  CREATE TABLE outbox_cursors (queue TEXT PRIMARY KEY, version INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE snapshots (version INTEGER PRIMARY KEY, state TEXT NOT NULL, state_schema TEXT NOT NULL);
  CREATE TABLE outbox_parked (
    queue TEXT NOT NULL, version INTEGER NOT NULL, error TEXT NOT NULL, attempts INTEGER NOT NULL,
    parked_at TEXT NOT NULL, reported INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (queue, version));
  CREATE TABLE store_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
  INSERT INTO store_schema (id, version) VALUES (1, ${STORE_SCHEMA_VERSION});`;

/**
 * The schema version of the object's database: 0 when nothing was ever stored, 1 for the
 * first release's layout (recognised by its `events` table), else what `store_schema` says.
 * Reads `sqlite_master` only, so asking creates nothing.
 */
export function storedSchemaVersion(sql: SqlStorage): number {
  const tables = new Set(
    sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('store_schema', 'events')")
      .toArray()
      .map((r) => r.name),
  );
  if (tables.has("store_schema")) return sql.exec<{ version: number }>("SELECT version FROM store_schema").one().version;
  return tables.has("events") ? 1 : 0;
}

/**
 * Brings the database from schema version `from` to {@link STORE_SCHEMA_VERSION}: an empty one
 * gets the fresh layout at once, an older one the steps after `from`, in order. Call inside a
 * transaction.
 */
export function migrateStore(sql: SqlStorage, from: number): void {
  if (from >= STORE_SCHEMA_VERSION) return;
  if (from === 0) {
    sql.exec(STORE_FRESH_SCHEMA);
    return;
  }
  for (const step of STORE_MIGRATIONS.slice(from)) sql.exec(step);
  sql.exec("CREATE TABLE IF NOT EXISTS store_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)");
  sql.exec("INSERT INTO store_schema (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version", STORE_SCHEMA_VERSION);
}
