import type { StoreDatabase } from "./store-database.js";

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

type ParkedRow = { queue: string; version: number; error: string; attempts: number; parked_at: string };

/**
 * What the outbox keeps beside the events (the events table itself is the outbox): each queue's
 * cursor with its failed attempts, and the events it parked after giving up on one queue.
 */
export class OutboxState {
  constructor(private readonly db: StoreDatabase) {}

  /** The last version sent to `queue`; 0 when nothing was sent yet. */
  cursor(queue: string): number {
    if (!this.db.exists) return 0;
    return this.db.sql.exec<{ version: number }>("SELECT version FROM outbox_cursors WHERE queue = ?", queue).toArray()[0]?.version ?? 0;
  }

  /** Failed sends to `queue` since its cursor last moved. */
  attempts(queue: string): number {
    if (!this.db.exists) return 0;
    return this.db.sql.exec<{ attempts: number }>("SELECT attempts FROM outbox_cursors WHERE queue = ?", queue).toArray()[0]?.attempts ?? 0;
  }

  /** Every queue's cursor and failed attempts, read once so the outbox can keep them in memory. */
  cursors(): Map<string, OutboxCursor> {
    const cursors = new Map<string, OutboxCursor>();
    if (!this.db.exists) return cursors;
    for (const row of this.db.sql.exec<{ queue: string; version: number; attempts: number }>("SELECT queue, version, attempts FROM outbox_cursors")) {
      cursors.set(row.queue, { version: row.version, attempts: row.attempts });
    }
    return cursors;
  }

  /** Writes a queue's cursor as the outbox holds it in memory; the version never goes back. */
  saveCursor(queue: string, cursor: OutboxCursor): void {
    this.saveCursors([[queue, cursor]]);
  }

  /** {@link saveCursor} for several queues in one statement: the outbox writes them with every command. */
  saveCursors(cursors: readonly (readonly [queue: string, cursor: OutboxCursor])[]): void {
    if (cursors.length === 0) return;
    this.db.sql.exec(
      `INSERT INTO outbox_cursors (queue, version, attempts) VALUES ${cursors.map(() => "(?, ?, ?)").join(", ")}
       ON CONFLICT (queue) DO UPDATE SET version = MAX(version, excluded.version), attempts = excluded.attempts`,
      ...cursors.flatMap(([queue, cursor]) => [queue, cursor.version, cursor.attempts]),
    );
  }

  /** Parks the event at the head of `queue` and moves the cursor past it, in one transaction. */
  park(event: ParkedEvent): void {
    this.db.transaction(() => {
      this.db.sql.exec(
        "INSERT OR REPLACE INTO outbox_parked (queue, version, error, attempts, parked_at, reported) VALUES (?, ?, ?, ?, ?, 0)",
        event.queue,
        event.version,
        event.error,
        event.attempts,
        event.parkedAt,
      );
      this.db.sql.exec(
        `INSERT INTO outbox_cursors (queue, version, attempts) VALUES (?, ?, 0)
         ON CONFLICT (queue) DO UPDATE SET version = MAX(version, excluded.version), attempts = 0`,
        event.queue,
        event.version,
      );
    });
  }

  /** Parked events not yet recorded where the operator looks, oldest first, at most `limit`. */
  unreported(limit: number): ParkedEvent[] {
    if (!this.db.exists) return [];
    return this.db.sql
      .exec<ParkedRow>("SELECT queue, version, error, attempts, parked_at FROM outbox_parked WHERE reported = 0 ORDER BY parked_at LIMIT ?", limit)
      .toArray()
      .map(parkedOf);
  }

  /** The parked event was recorded in its subscriber's D1. */
  markReported(queue: string, version: number): void {
    this.db.sql.exec("UPDATE outbox_parked SET reported = 1 WHERE queue = ? AND version = ?", queue, version);
  }

  /** Every event parked for `queue`, oldest first. */
  parked(queue: string): ParkedEvent[] {
    if (!this.db.exists) return [];
    return this.db.sql
      .exec<ParkedRow>("SELECT queue, version, error, attempts, parked_at FROM outbox_parked WHERE queue = ? ORDER BY version", queue)
      .toArray()
      .map(parkedOf);
  }
}

function parkedOf(r: ParkedRow): ParkedEvent {
  return { queue: r.queue, version: r.version, error: r.error, attempts: r.attempts, parkedAt: r.parked_at };
}
