import { fold, upcast, type AnyAggregate, type FoldableEvent } from "../aggregate/index.js";
import type { EventStore, StoredEvent } from "../event-store/index.js";
import { streamIdOf } from "../ids/index.js";
import type { StreamIdentity } from "./envelope-of.js";

/** A stream rebuilt in memory: its identity, its version and the state folded up to it. */
export interface LoadedStream extends StreamIdentity {
  readonly version: number;
  readonly state: unknown;
}

/** What rebuilding a state cost: which snapshot it started from and how many rows it read after it. */
export interface WakeStats {
  readonly snapshotVersion: number;
  readonly eventsFolded: number;
  readonly rowsRead: number;
}

/**
 * Rebuilds a stream from its newest usable snapshot plus the events after it. Throws when the
 * object already holds another stream: one object is one stream, whatever it is asked.
 */
export function loadStream(store: EventStore, aggregate: AnyAggregate, id: string): { stream: LoadedStream; stats: WakeStats } {
  const streamId = streamIdOf(aggregate.name, id);
  const stored = store.events.streamId();
  if (stored !== undefined && stored !== streamId) throw new Error(`object of ${stored} was asked for ${streamId}`);
  const { state, version, stats } = foldUpTo(store, aggregate, Number.MAX_SAFE_INTEGER);
  return { stream: { aggregate, streamId, aggregateId: id, version, state }, stats };
}

/** The state of `stream` as it was at `version`, from the nearest snapshot at or below it. */
export function stateAt(store: EventStore, stream: LoadedStream, version: number): { state: unknown; stats: WakeStats } {
  if (version === stream.version) return { state: stream.state, stats: { snapshotVersion: version, eventsFolded: 0, rowsRead: 0 } };
  const { state, stats } = foldUpTo(store, stream.aggregate, version);
  return { state, stats };
}

/** A stored event as `evolve` folds it: its data upcast to the current schema. */
export function foldable(aggregate: AnyAggregate, event: StoredEvent): FoldableEvent {
  return { type: event.type, data: upcast(aggregate, event.type, event.schemaVersion, event.data) };
}

function foldUpTo(store: EventStore, aggregate: AnyAggregate, until: number): { state: unknown; version: number; stats: WakeStats } {
  const snapshot = store.snapshots.latest(aggregate.stateSchema, until);
  const events = store.events.eventsAfter(snapshot?.version ?? 0, until);
  const initial = snapshot?.state ?? aggregate.initialState();
  return {
    state: fold(aggregate, initial, events.map((e) => foldable(aggregate, e))),
    version: events.at(-1)?.version ?? snapshot?.version ?? 0,
    stats: { snapshotVersion: snapshot?.version ?? 0, eventsFolded: events.length, rowsRead: store.events.rowsRead },
  };
}
