export { defineAggregate, DEFAULT_SNAPSHOT_EVERY } from "./define-aggregate.js";
export { CommandRejected, reject } from "./command-rejected.js";
export { internalCommandMessage } from "./internal-command.js";
export { fold, upcast, type FoldableEvent } from "./fold.js";
export {
  firstRefusal,
  preconditionsOf,
  refuse,
  relatedStreamsOf,
  type CommandNamed,
  type CommandPayloadOf,
  type Precondition,
  type PreconditionConfig,
  type PreconditionRule,
  type Refusal,
  type RelatedStream,
  type StateOfAggregate,
} from "./precondition.js";
export type {
  AggregateConfig,
  AggregateDefinition,
  AnyAggregate,
  CommandMetadata,
  CommandOf,
  CommandsOf,
  EventOf,
  EventsOf,
  Preconditions,
  SchemaMap,
  StateOf,
  Upcasters,
} from "./types.js";
