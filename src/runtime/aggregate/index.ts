export { defineAggregate, DEFAULT_SNAPSHOT_EVERY } from "./define-aggregate.js";
export { CommandRejected, reject } from "./command-rejected.js";
export { internalCommandMessage } from "./internal-command.js";
export { fold, upcast, type FoldableEvent } from "./fold.js";
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
} from "./types.js";
