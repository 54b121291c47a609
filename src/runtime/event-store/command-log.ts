import type { StoreDatabase } from "./store-database.js";

/** The stored answer to a command, replayed for a repeated `Idempotency-Key`. */
export interface CommandRecord {
  readonly requestHash: string;
  readonly response: string;
}

/** The object's log of answered commands: what makes a repeated `Idempotency-Key` answer as the first time. */
export class CommandLog {
  constructor(private readonly db: StoreDatabase) {}

  /** The stored answer to `commandId`, if it ran (and its record is still within the retention window). */
  find(commandId: string): CommandRecord | undefined {
    if (!this.db.exists) return undefined;
    const row = this.db.sql
      .exec<{ request_hash: string; response: string }>("SELECT request_hash, response FROM commands WHERE command_id = ?", commandId)
      .toArray()[0];
    return row && { requestHash: row.request_hash, response: row.response };
  }

  /** Records a command's answer; call inside the transaction that appends its events. */
  record(commandId: string, record: CommandRecord, recordedAt: string): void {
    this.db.create();
    this.db.sql.exec(
      "INSERT INTO commands (command_id, request_hash, response, recorded_at) VALUES (?, ?, ?, ?)",
      commandId,
      record.requestHash,
      record.response,
      recordedAt,
    );
  }

  /** When the oldest command in the log was recorded (ISO-8601), or undefined for an empty log. */
  oldestAt(): string | undefined {
    if (!this.db.exists) return undefined;
    return this.db.sql.exec<{ at: string | null }>("SELECT MIN(recorded_at) AS at FROM commands").one().at ?? undefined;
  }

  /** Deletes at most `limit` commands recorded before `cutoff`, oldest first; returns how many went. */
  prune(cutoff: string, limit: number): number {
    if (!this.db.exists) return 0;
    return this.db.sql.exec(
      "DELETE FROM commands WHERE command_id IN (SELECT command_id FROM commands WHERE recorded_at < ? ORDER BY recorded_at LIMIT ?)",
      cutoff,
      limit,
    ).rowsWritten;
  }
}
