// The surface of `edge-cqrs` that loads anywhere: in the Workers runtime, in Node (decider tests,
// schema generation, the CLI) and in a bundler. The two entry modules add `createRuntime`.
export {
  CommandRejected,
  DEFAULT_SNAPSHOT_EVERY,
  defineAggregate,
  refuse,
  reject,
  type AggregateConfig,
  type AggregateDefinition,
  type AnyAggregate,
  type CommandMetadata,
  type CommandNamed,
  type CommandOf,
  type CommandPayloadOf,
  type CommandsOf,
  type EventOf,
  type EventsOf,
  type Precondition,
  type PreconditionConfig,
  type PreconditionRule,
  type Preconditions,
  type Refusal,
  type SchemaMap,
  type StateOfAggregate,
  type StateOf,
  type Upcasters,
} from "./aggregate/index.js";
export type { CommandSuccess } from "./aggregate-protocol/index.js";
export { bearerTokens, type Actor, type Authenticate, type Authentication, type BearerTokenBindings } from "./auth/index.js";
export { contractSchemas, type ContractSchema } from "./contracts/index.js";
export type { Application, BindingName } from "./create-runtime/application.js";
export type { LogOptions, Runtime, RuntimeOptions } from "./create-runtime/create-runtime.js";
export { EventEnvelopeSchema, type EventEnvelope, type EventMetadata } from "./envelope/index.js";
export { HttpError, type ErrorBody, type ErrorCode, type IssueBody } from "./errors/index.js";
export { defineQuery, type QueryConfig, type QueryInput, type QueryRoute } from "./http/index.js";
export { AGGREGATE_ID_PATTERN, streamIdOf } from "./ids/index.js";
export {
  manifestOf,
  STREAM_CATALOG_BINDING,
  STREAM_CATALOG_QUEUE,
  type Manifest,
  type ManifestOptions,
  type Requirement,
} from "./manifest/index.js";
export {
  command,
  defineProcessManager,
  type CommandAcceptedMessage,
  type CommandRejectedMessage,
  type IssuedCommand,
  type OutcomeKind,
  type OutcomeMessage,
  type ProcessDecision,
  type ProcessManager,
  type ProcessManagerConfig,
  type ProcessMessage,
  type ProcessStep,
  type SentCommand,
  type StatefulProcessManager,
  type StatefulProcessManagerConfig,
  type StatelessProcessManager,
  type TimerFired,
  type TimerToSet,
  type TypedStatefulProcessManager,
} from "./process-manager/index.js";
export {
  CLOUDEVENTS_SPEC_VERSION,
  definePublisher,
  type CloudEvent,
  type PublicEvent,
  type PublicEventMap,
  type PublishedEventType,
  type Publisher,
  type PublisherConfig,
} from "./publisher/index.js";
export {
  defineProjection,
  SHADOW_TABLE_SUFFIX,
  type Projection,
  type ProjectionConfig,
  type ProjectionContext,
  type ProjectionStatements,
} from "./projection/index.js";
export { MAX_JOBS_PER_STEP, MAX_REBUILD_READ_ATTEMPTS, REBUILD_JOB_GRACE_MS, REBUILD_STALL_MS, type RebuildStatus } from "./rebuild/index.js";
export { MAX_STREAMS_SWEPT_PER_SUBSCRIBER, SWEEP_GRACE_MS } from "./stream-catalog/index.js";
export type { EnvelopeOf, QueueRef } from "./subscription/index.js";
