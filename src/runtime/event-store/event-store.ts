import type { EventMetadata } from "../envelope";

/** One event row as stored in the object's SQLite `events` table. */
export interface StoredEvent {
  readonly version: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  readonly recordedAt: string;
}

/** The stored answer to a command, replayed for a repeated `Idempotency-Key`. */
export interface CommandRecord {
  readonly requestHash: string;
  readonly response: string;
}

/** The latest usable snapshot of the state. */
export interface Snapshot {
  readonly version: number;
  readonly state: unknown;
}

// Keep the newest snapshots only: one is enough to wake, a second covers `asOf` reads a little back.
const SNAPSHOTS_KEPT = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS stream (id INTEGER PRIMARY KEY CHECK (id = 1), stream_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  version INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
  schema_version INTEGER NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS commands (
  command_id TEXT PRIMARY KEY, request_hash TEXT NOT NULL, response TEXT NOT NULL, recorded_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox_cursors (queue TEXT PRIMARY KEY, version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (version INTEGER PRIMARY KEY, state TEXT NOT NULL, state_schema TEXT NOT NULL);
`;

type EventRow = {
  version: number;
  event_id: string;
  type: string;
  schema_version: number;
  data: string;
  metadata: string;
  recorded_at: string;
};

/**
 * The append-only stream of one aggregate instance, with its command log, outbox cursors and
 * snapshots, in the Durable Object's own SQLite database. Every method is synchronous: the
 * object runs a whole command without an `await`, which is what makes commands one-at-a-time.
 */
export class EventStore {
  /** Rows SQLite read for the last {@link eventsAfter} call: how tests prove a wake is cheap. */
  rowsRead = 0;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
  }

  /** The stream id recorded by the first append, or undefined for an empty object. */
  streamId(): string | undefined {
    return this.sql.exec<{ stream_id: string }>("SELECT stream_id FROM stream").toArray()[0]?.stream_id;
  }

  /** The version of the newest event; 0 for a stream never written. */
  version(): number {
    return this.sql.exec<{ v: number }>("SELECT COALESCE(MAX(version), 0) AS v FROM events").one().v;
  }

  /** Events with `after < version <= until`, oldest first, at most `limit`. */
  eventsAfter(after: number, until = Number.MAX_SAFE_INTEGER, limit = -1): StoredEvent[] {
    const cursor = this.sql.exec<EventRow>(
      "SELECT * FROM events WHERE version > ? AND version <= ? ORDER BY version LIMIT ?",
      after,
      until,
      limit,
    );
    const events = cursor.toArray().map(toStoredEvent);
    this.rowsRead = cursor.rowsRead;
    return events;
  }

  /** Appends events; call inside `transactionSync` together with the command record. */
  append(streamId: string, events: readonly StoredEvent[]): void {
    if (events[0]?.version === 1) this.sql.exec("INSERT INTO stream (id, stream_id) VALUES (1, ?)", streamId);
    for (const e of events) {
      this.sql.exec(
        "INSERT INTO events (version, event_id, type, schema_version, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        e.version,
        e.eventId,
        e.type,
        e.schemaVersion,
        JSON.stringify(e.data),
        JSON.stringify(e.metadata),
        e.recordedAt,
      );
    }
  }

  command(commandId: string): CommandRecord | undefined {
    const row = this.sql
      .exec<{ request_hash: string; response: string }>("SELECT request_hash, response FROM commands WHERE command_id = ?", commandId)
      .toArray()[0];
    return row && { requestHash: row.request_hash, response: row.response };
  }

  recordCommand(commandId: string, record: CommandRecord, recordedAt: string): void {
    this.sql.exec(
      "INSERT INTO commands (command_id, request_hash, response, recorded_at) VALUES (?, ?, ?, ?)",
      commandId,
      record.requestHash,
      record.response,
      recordedAt,
    );
  }

  /** The newest snapshot at or below `atMost` written under `stateSchema`; others are ignored. */
  snapshot(stateSchema: string, atMost = Number.MAX_SAFE_INTEGER): Snapshot | undefined {
    const row = this.sql
      .exec<{ version: number; state: string }>(
        "SELECT version, state FROM snapshots WHERE state_schema = ? AND version <= ? ORDER BY version DESC LIMIT 1",
        stateSchema,
        atMost,
      )
      .toArray()[0];
    return row && { version: row.version, state: JSON.parse(row.state) };
  }

  saveSnapshot(version: number, state: unknown, stateSchema: string): void {
    this.sql.exec("INSERT OR REPLACE INTO snapshots (version, state, state_schema) VALUES (?, ?, ?)", version, JSON.stringify(state), stateSchema);
    this.sql.exec(
      "DELETE FROM snapshots WHERE version NOT IN (SELECT version FROM snapshots ORDER BY version DESC LIMIT ?)",
      SNAPSHOTS_KEPT,
    );
  }

  /** The last version sent to `queue`; 0 when nothing was sent yet. */
  cursor(queue: string): number {
    return this.sql.exec<{ version: number }>("SELECT version FROM outbox_cursors WHERE queue = ?", queue).toArray()[0]?.version ?? 0;
  }

  advanceCursor(queue: string, version: number): void {
    this.sql.exec(
      "INSERT INTO outbox_cursors (queue, version) VALUES (?, ?) ON CONFLICT (queue) DO UPDATE SET version = MAX(version, excluded.version)",
      queue,
      version,
    );
  }
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    version: row.version,
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata) as EventMetadata,
    recordedAt: row.recorded_at,
  };
}
