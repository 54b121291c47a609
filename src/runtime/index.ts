// The runtime's public API for defining a domain. The example application (src/app) imports only
// from here. It loads in plain Node too (unit tests, schema generation); what needs the Workers
// runtime itself (the Durable Object class, createRuntime) is in ./worker.
export * from "./aggregate";
export { AggregateClient } from "./aggregate-client";
export type { CommandOutcome, CommandRequest, CommandSuccess, StreamPage, WakeStats } from "./aggregate-object";
export { encodeConsistencyToken, parseConsistencyTokens, type StreamPosition } from "./consistency";
export type { Application } from "./create-runtime";
export { EventEnvelopeSchema, type EventEnvelope, type EventMetadata } from "./envelope";
export { contractSchemas, type ContractSchema } from "./contracts";
export * from "./errors";
export { defineQuery, type QueryConfig, type QueryInput, type QueryRoute } from "./http";
export { AGGREGATE_ID_PATTERN, newId, streamIdOf } from "./ids";
export { command, defineProcessManager, type IssuedCommand, type ProcessManager } from "./process-manager";
export { defineProjection, type Projection, type ProjectionContext } from "./projection";
export { causedCommandId } from "./projector";
export type { EnvelopeOf, QueueRef } from "./subscription";
