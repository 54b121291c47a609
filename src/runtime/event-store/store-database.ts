import { migrateStore, STORE_SCHEMA_VERSION, storedSchemaVersion } from "./store-schema.js";

/**
 * The object's SQLite database as the four stores share it: whether its schema exists yet, and
 * creating it on the first write. Nothing is created before then, so reading a stream that was
 * never written, or refusing its first command, leaves no database behind. An object written by
 * an older release is migrated when it wakes.
 */
export class StoreDatabase {
  private created: boolean;
  private readonly forgetters: (() => void)[] = [];

  constructor(
    readonly sql: SqlStorage,
    readonly transaction: (work: () => void) => void,
  ) {
    const version = storedSchemaVersion(sql);
    this.created = version > 0;
    if (this.created && version < STORE_SCHEMA_VERSION) transaction(() => migrateStore(sql, version));
  }

  /** Whether the schema exists: false until the first write commits. */
  get exists(): boolean {
    return this.created;
  }

  /** Creates the schema; call inside the transaction of the first write. */
  create(): void {
    if (this.created) return;
    migrateStore(this.sql, 0);
    this.created = true;
  }

  /** Something a store remembers from SQLite, to forget when a transaction rolls back. */
  onRecheck(forget: () => void): void {
    this.forgetters.push(forget);
  }

  /** Looks again whether the schema exists, after a transaction that may have created it rolled back. */
  recheck(): void {
    this.created = storedSchemaVersion(this.sql) > 0;
    for (const forget of this.forgetters) forget();
  }
}
