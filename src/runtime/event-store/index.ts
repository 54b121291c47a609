export { EventStore, type CommandRecord, type OutboxCursor, type ParkedEvent, type Snapshot, type StoredEvent } from "./event-store.js";
export { STORE_FRESH_SCHEMA, STORE_MIGRATIONS, STORE_SCHEMA_VERSION } from "./store-schema.js";
