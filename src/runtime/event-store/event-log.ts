import type { EventMetadata } from "../envelope/index.js";
import type { StoreDatabase } from "./store-database.js";

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
 * The append-only stream of one aggregate instance. Synchronous, like every store of the object:
 * a whole command runs without an `await`, which is what makes commands one-at-a-time.
 */
export class EventLog {
  /** Rows SQLite read for the last {@link eventsAfter} call: how tests prove a wake is cheap. */
  rowsRead = 0;
  /**
   * The stream's head version, once read: only {@link append} moves it, and a rolled-back append
   * is followed by a recheck, which forgets it. The outbox asks after every send.
   */
  private head: number | undefined;

  constructor(private readonly db: StoreDatabase) {
    db.onRecheck(() => {
      this.head = undefined;
    });
  }

  /** The stream id recorded by the first append, or undefined for an empty object. */
  streamId(): string | undefined {
    if (!this.db.exists) return undefined;
    return this.db.sql.exec<{ stream_id: string }>("SELECT stream_id FROM stream").toArray()[0]?.stream_id;
  }

  /** The version of the newest event; 0 for a stream never written. */
  version(): number {
    if (!this.db.exists) return 0;
    this.head ??= this.db.sql.exec<{ v: number }>("SELECT COALESCE(MAX(version), 0) AS v FROM events").one().v;
    return this.head;
  }

  /** Events with `after < version <= until`, oldest first, at most `limit`. */
  eventsAfter(after: number, until = Number.MAX_SAFE_INTEGER, limit = -1): StoredEvent[] {
    if (!this.db.exists) {
      this.rowsRead = 0;
      return [];
    }
    const cursor = this.db.sql.exec<EventRow>("SELECT * FROM events WHERE version > ? AND version <= ? ORDER BY version LIMIT ?", after, until, limit);
    const events = cursor.toArray().map(toStoredEvent);
    this.rowsRead = cursor.rowsRead;
    return events;
  }

  /**
   * Appends events, creating the schema on the stream's first write; call inside
   * `transactionSync` together with the command record.
   */
  append(streamId: string, events: readonly StoredEvent[]): void {
    this.db.create();
    if (events[0]?.version === 1) this.db.sql.exec("INSERT INTO stream (id, stream_id) VALUES (1, ?)", streamId);
    for (const e of events) {
      this.db.sql.exec(
        "INSERT INTO events (version, event_id, type, schema_version, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        e.version,
        e.eventId,
        e.type,
        e.schemaVersion,
        JSON.stringify(e.data),
        JSON.stringify(e.metadata),
        e.recordedAt,
      );
      this.head = e.version;
    }
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
