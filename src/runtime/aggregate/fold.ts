import { ownEntry } from "../own-entry/index.js";
import type { AnyAggregate } from "./types.js";

/** A stored event's type and data after upcasting, as `evolve` folds it. */
export interface FoldableEvent {
  readonly type: string;
  readonly data: unknown;
}

/** Folds events into a state with the aggregate's pure `evolve`. */
export function fold(aggregate: AnyAggregate, state: unknown, events: Iterable<FoldableEvent>): unknown {
  let next = state;
  for (const event of events) next = aggregate.evolve(next, event);
  return next;
}

/**
 * Brings stored event data written under an older schema version up to the current one,
 * one upcaster step at a time. Data already current is returned as it is.
 */
export function upcast(aggregate: AnyAggregate, type: string, schemaVersion: number, data: unknown): unknown {
  const current = aggregate.schemaVersionOf(type);
  let value = data;
  for (let version = schemaVersion; version < current; version++) {
    const step = ownEntry(ownEntry(aggregate.upcasters, type), String(version));
    if (!step) throw new Error(`${aggregate.name}: no upcaster for ${type} from schema version ${version}`);
    value = step(value);
  }
  return value;
}
