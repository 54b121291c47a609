// The surface of `edge-cqrs` that loads anywhere: in the Workers runtime, in Node (decider tests,
// schema generation, the CLI) and in a bundler. The two entry modules add `createRuntime`.
export {
  CommandRejected,
  DEFAULT_SNAPSHOT_EVERY,
  defineAggregate,
  reject,
  type AggregateConfig,
  type AggregateDefinition,
  type AnyAggregate,
  type CommandMetadata,
  type CommandOf,
  type CommandsOf,
  type EventOf,
  type EventsOf,
  type SchemaMap,
  type StateOf,
  type Upcasters,
} from "./aggregate";
export type { CommandSuccess } from "./aggregate-protocol";
export { bearerTokens, type Actor, type Authenticate, type Authentication, type BearerTokenBindings } from "./auth";
export { contractSchemas, type ContractSchema } from "./contracts";
export type { Application, BindingName } from "./create-runtime/application";
export type { Runtime, RuntimeOptions } from "./create-runtime/create-runtime";
export { EventEnvelopeSchema, type EventEnvelope, type EventMetadata } from "./envelope";
export { HttpError, type ErrorBody, type ErrorCode, type IssueBody } from "./errors";
export { defineQuery, type QueryConfig, type QueryInput, type QueryRoute } from "./http";
export { AGGREGATE_ID_PATTERN, streamIdOf } from "./ids";
export { command, defineProcessManager, type IssuedCommand, type ProcessManager, type ProcessManagerConfig } from "./process-manager";
export {
  CLOUDEVENTS_SPEC_VERSION,
  definePublisher,
  type CloudEvent,
  type PublicEvent,
  type PublicEventMap,
  type PublishedEventType,
  type Publisher,
  type PublisherConfig,
} from "./publisher";
export { defineProjection, type Projection, type ProjectionConfig, type ProjectionContext, type ProjectionStatements } from "./projection";
export type { EnvelopeOf, QueueRef } from "./subscription";
