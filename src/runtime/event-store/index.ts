export { EventStore, type CommandRecord, type Snapshot, type StoredEvent } from "./event-store";
