import { CommandLog } from "./command-log.js";
import { EventLog } from "./event-log.js";
import { OutboxState } from "./outbox-state.js";
import { SnapshotStore } from "./snapshot-store.js";
import { StoreDatabase } from "./store-database.js";

/**
 * Everything one aggregate object stores, in its own SQLite database: the event log, the command
 * log, snapshots and the outbox's state, each a store of its own over one shared database. Every
 * method is synchronous: the object runs a whole command without an `await`, which is what makes
 * commands one-at-a-time, and writes a command's events, record, snapshot and cursors in one
 * `transactionSync`.
 */
export class EventStore {
  readonly events: EventLog;
  readonly commands: CommandLog;
  readonly snapshots: SnapshotStore;
  readonly outbox: OutboxState;
  private readonly db: StoreDatabase;

  constructor(sql: SqlStorage, transaction: (work: () => void) => void) {
    this.db = new StoreDatabase(sql, transaction);
    this.events = new EventLog(this.db);
    this.commands = new CommandLog(this.db);
    this.snapshots = new SnapshotStore(this.db);
    this.outbox = new OutboxState(this.db);
  }

  /** Whether nothing was ever stored: no schema, no stream, no command log. */
  isEmpty(): boolean {
    return !this.db.exists;
  }

  /** Looks again whether the schema exists, after a transaction that may have created it rolled back. */
  recheck(): void {
    this.db.recheck();
  }
}
