import type { StoreDatabase } from "./store-database.js";

/** The latest usable snapshot of the state. */
export interface Snapshot {
  readonly version: number;
  readonly state: unknown;
}

// Keep the newest snapshots: one is enough to wake, a second covers `asOf` reads a little back.
// Older ones are kept sparsely (see save), so an old `asOf` folds a bounded number of events.
const SNAPSHOTS_KEPT = 2;

/** Snapshots of the aggregate's state, so waking an object folds a bounded number of events. */
export class SnapshotStore {
  constructor(private readonly db: StoreDatabase) {}

  /** The newest snapshot at or below `atMost` written under `stateSchema`; others are ignored. */
  latest(stateSchema: string, atMost = Number.MAX_SAFE_INTEGER): Snapshot | undefined {
    if (!this.db.exists) return undefined;
    const row = this.db.sql
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
  save(version: number, state: unknown, stateSchema: string, sparseEvery: number): void {
    const { sql } = this.db;
    sql.exec("INSERT OR REPLACE INTO snapshots (version, state, state_schema) VALUES (?, ?, ?)", version, JSON.stringify(state), stateSchema);
    sql.exec("DELETE FROM snapshots WHERE state_schema <> ?", stateSchema);
    sql.exec(
      `DELETE FROM snapshots
       WHERE version NOT IN (SELECT version FROM snapshots ORDER BY version DESC LIMIT ?)
         AND version NOT IN (SELECT MIN(version) FROM snapshots GROUP BY version / CAST(? AS INTEGER))`,
      SNAPSHOTS_KEPT,
      sparseEvery,
    );
  }
}
