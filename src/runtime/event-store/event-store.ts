import type { EventMetadata } from "../envelope/index.js";
import { migrateStore, STORE_SCHEMA_VERSION, storedSchemaVersion } from "./store-schema.js";

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

/** How far the outbox has sent one queue, and its failed sends since the cursor last moved. */
export interface OutboxCursor {
  readonly version: number;
  readonly attempts: number;
}

/** An event the outbox gave up sending to one queue. */
export interface ParkedEvent {
  readonly queue: string;
  readonly version: number;
  readonly error: string;
  readonly attempts: number;
  readonly parkedAt: string;
}

// Keep the newest snapshots: one is enough to wake, a second covers `asOf` reads a little back.
// Older ones are kept sparsely (see saveSnapshot), so an old `asOf` folds a bounded number of events.
const SNAPSHOTS_KEPT = 2;

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
 *
 * Nothing is created until the first append: reading a stream that was never written, or
 * refusing its first command, leaves no database behind. An object written by an older release
 * is migrated when it wakes.
 */
export class EventStore {
  /** Rows SQLite read for the last {@link eventsAfter} call: how tests prove a wake is cheap. */
  rowsRead = 0;
  private exists: boolean;
  /**
   * The stream's head version, once read: only {@link append} moves it, and a rolled-back append
   * is followed by {@link recheck}, which forgets it. The outbox asks after every send.
   */
  private head: number | undefined;

  constructor(
    private readonly sql: SqlStorage,
    private readonly transaction: (work: () => void) => void,
  ) {
    const version = storedSchemaVersion(sql);
    this.exists = version > 0;
    if (this.exists && version < STORE_SCHEMA_VERSION) transaction(() => migrateStore(sql, version));
  }

  /** Whether nothing was ever stored: no schema, no stream, no command log. */
  isEmpty(): boolean {
    return !this.exists;
  }

  /** The stream id recorded by the first append, or undefined for an empty object. */
  streamId(): string | undefined {
    if (!this.exists) return undefined;
    return this.sql.exec<{ stream_id: string }>("SELECT stream_id FROM stream").toArray()[0]?.stream_id;
  }

  /** The version of the newest event; 0 for a stream never written. */
  version(): number {
    if (!this.exists) return 0;
    this.head ??= this.sql.exec<{ v: number }>("SELECT COALESCE(MAX(version), 0) AS v FROM events").one().v;
    return this.head;
  }

  /** Events with `after < version <= until`, oldest first, at most `limit`. */
  eventsAfter(after: number, until = Number.MAX_SAFE_INTEGER, limit = -1): StoredEvent[] {
    if (!this.exists) {
      this.rowsRead = 0;
      return [];
    }
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

  /**
   * Appends events, creating the schema on the stream's first write; call inside
   * `transactionSync` together with the command record.
   */
  append(streamId: string, events: readonly StoredEvent[]): void {
    this.create();
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
      this.head = e.version;
    }
  }

  command(commandId: string): CommandRecord | undefined {
    if (!this.exists) return undefined;
    const row = this.sql
      .exec<{ request_hash: string; response: string }>("SELECT request_hash, response FROM commands WHERE command_id = ?", commandId)
      .toArray()[0];
    return row && { requestHash: row.request_hash, response: row.response };
  }

  recordCommand(commandId: string, record: CommandRecord, recordedAt: string): void {
    this.create();
    this.sql.exec(
      "INSERT INTO commands (command_id, request_hash, response, recorded_at) VALUES (?, ?, ?, ?)",
      commandId,
      record.requestHash,
      record.response,
      recordedAt,
    );
  }

  /** When the oldest command in the log was recorded (ISO-8601), or undefined for an empty log. */
  oldestCommandAt(): string | undefined {
    if (!this.exists) return undefined;
    return this.sql.exec<{ at: string | null }>("SELECT MIN(recorded_at) AS at FROM commands").one().at ?? undefined;
  }

  /** Deletes at most `limit` commands recorded before `cutoff`, oldest first; returns how many went. */
  pruneCommands(cutoff: string, limit: number): number {
    if (!this.exists) return 0;
    return this.sql.exec(
      "DELETE FROM commands WHERE command_id IN (SELECT command_id FROM commands WHERE recorded_at < ? ORDER BY recorded_at LIMIT ?)",
      cutoff,
      limit,
    ).rowsWritten;
  }

  /** The newest snapshot at or below `atMost` written under `stateSchema`; others are ignored. */
  snapshot(stateSchema: string, atMost = Number.MAX_SAFE_INTEGER): Snapshot | undefined {
    if (!this.exists) return undefined;
    const row = this.sql
      .exec<{ version: number; state: string }>(
        "SELECT version, state FROM snapshots WHERE state_schema = ? AND version <= ? ORDER BY version DESC LIMIT 1",
        stateSchema,
        atMost,
      )
      .toArray()[0];
    return row && { version: row.version, state: JSON.parse(row.state) };
  }

  /**
   * Stores a snapshot and thins the older ones: the newest {@link SNAPSHOTS_KEPT}, plus the
   * oldest of every run of `sparseEvery` versions, so any `asOf` finds one at most about
   * `sparseEvery` versions below it. Snapshots of another state schema can never be used again.
   */
  saveSnapshot(version: number, state: unknown, stateSchema: string, sparseEvery: number): void {
    this.sql.exec("INSERT OR REPLACE INTO snapshots (version, state, state_schema) VALUES (?, ?, ?)", version, JSON.stringify(state), stateSchema);
    this.sql.exec("DELETE FROM snapshots WHERE state_schema <> ?", stateSchema);
    this.sql.exec(
      `DELETE FROM snapshots
       WHERE version NOT IN (SELECT version FROM snapshots ORDER BY version DESC LIMIT ?)
         AND version NOT IN (SELECT MIN(version) FROM snapshots GROUP BY version / CAST(? AS INTEGER))`,
      SNAPSHOTS_KEPT,
      sparseEvery,
    );
  }

  /** The last version sent to `queue`; 0 when nothing was sent yet. */
  cursor(queue: string): number {
    if (!this.exists) return 0;
    return this.sql.exec<{ version: number }>("SELECT version FROM outbox_cursors WHERE queue = ?", queue).toArray()[0]?.version ?? 0;
  }

  /** Every queue's cursor and failed attempts, read once so the outbox can keep them in memory. */
  outboxCursors(): Map<string, OutboxCursor> {
    const cursors = new Map<string, OutboxCursor>();
    if (!this.exists) return cursors;
    for (const row of this.sql.exec<{ queue: string; version: number; attempts: number }>("SELECT queue, version, attempts FROM outbox_cursors")) {
      cursors.set(row.queue, { version: row.version, attempts: row.attempts });
    }
    return cursors;
  }

  /** Moves the queue's cursor forward and clears its failed attempts. */
  advanceCursor(queue: string, version: number): void {
    this.sql.exec(
      `INSERT INTO outbox_cursors (queue, version, attempts) VALUES (?, ?, 0)
       ON CONFLICT (queue) DO UPDATE SET version = MAX(version, excluded.version), attempts = 0`,
      queue,
      version,
    );
  }

  /** Failed sends to `queue` since its cursor last moved. */
  attempts(queue: string): number {
    if (!this.exists) return 0;
    return this.sql.exec<{ attempts: number }>("SELECT attempts FROM outbox_cursors WHERE queue = ?", queue).toArray()[0]?.attempts ?? 0;
  }

  /** Writes a queue's cursor as the outbox holds it in memory; the version never goes back. */
  saveCursor(queue: string, cursor: OutboxCursor): void {
    this.saveCursors([[queue, cursor]]);
  }

  /** {@link saveCursor} for several queues in one statement: the outbox writes them with every command. */
  saveCursors(cursors: readonly (readonly [queue: string, cursor: OutboxCursor])[]): void {
    if (cursors.length === 0) return;
    this.sql.exec(
      `INSERT INTO outbox_cursors (queue, version, attempts) VALUES ${cursors.map(() => "(?, ?, ?)").join(", ")}
       ON CONFLICT (queue) DO UPDATE SET version = MAX(version, excluded.version), attempts = excluded.attempts`,
      ...cursors.flatMap(([queue, cursor]) => [queue, cursor.version, cursor.attempts]),
    );
  }

  /** Parks the event at the head of `queue` and moves the cursor past it, in one transaction. */
  park(event: ParkedEvent): void {
    this.transaction(() => {
      this.sql.exec(
        "INSERT OR REPLACE INTO outbox_parked (queue, version, error, attempts, parked_at, reported) VALUES (?, ?, ?, ?, ?, 0)",
        event.queue,
        event.version,
        event.error,
        event.attempts,
        event.parkedAt,
      );
      this.advanceCursor(event.queue, event.version);
    });
  }

  /** Parked events not yet recorded where the operator looks, oldest first, at most `limit`. */
  unreportedParked(limit: number): ParkedEvent[] {
    if (!this.exists) return [];
    return this.sql
      .exec<{ queue: string; version: number; error: string; attempts: number; parked_at: string }>(
        "SELECT queue, version, error, attempts, parked_at FROM outbox_parked WHERE reported = 0 ORDER BY parked_at LIMIT ?",
        limit,
      )
      .toArray()
      .map((r) => ({ queue: r.queue, version: r.version, error: r.error, attempts: r.attempts, parkedAt: r.parked_at }));
  }

  markReported(queue: string, version: number): void {
    this.sql.exec("UPDATE outbox_parked SET reported = 1 WHERE queue = ? AND version = ?", queue, version);
  }

  /** Every event parked for `queue`, oldest first. */
  parked(queue: string): ParkedEvent[] {
    if (!this.exists) return [];
    return this.sql
      .exec<{ queue: string; version: number; error: string; attempts: number; parked_at: string }>(
        "SELECT queue, version, error, attempts, parked_at FROM outbox_parked WHERE queue = ? ORDER BY version",
        queue,
      )
      .toArray()
      .map((r) => ({ queue: r.queue, version: r.version, error: r.error, attempts: r.attempts, parkedAt: r.parked_at }));
  }

  /** Looks again whether the schema exists: after a transaction that created it was rolled back. */
  recheck(): void {
    this.exists = storedSchemaVersion(this.sql) > 0;
    this.head = undefined;
  }

  private create(): void {
    if (this.exists) return;
    migrateStore(this.sql, 0);
    this.exists = true;
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
