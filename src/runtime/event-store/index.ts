export { CommandLog, type CommandRecord } from "./command-log.js";
export { EventLog, type StoredEvent } from "./event-log.js";
export { EventStore } from "./event-store.js";
export { OutboxState, type OutboxCursor, type ParkedEvent } from "./outbox-state.js";
export { SnapshotStore, type Snapshot } from "./snapshot-store.js";
export { STORE_FRESH_SCHEMA, STORE_MIGRATIONS, STORE_SCHEMA_VERSION } from "./store-schema.js";
