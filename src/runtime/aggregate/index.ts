export { defineAggregate, DEFAULT_SNAPSHOT_EVERY } from "./define-aggregate";
export { CommandRejected, reject } from "./command-rejected";
export { fold, upcast, type FoldableEvent } from "./fold";
export type {
  AggregateConfig,
  AggregateDefinition,
  AnyAggregate,
  CommandMetadata,
  CommandOf,
  CommandsOf,
  EventOf,
  EventsOf,
  SchemaMap,
  StateOf,
  Upcasters,
} from "./types";
