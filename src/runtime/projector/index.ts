export { advanceCheckpoints, catalogStreams, readCheckpoints, streamVersions } from "./checkpoints.js";
export type { Consumer } from "./consumer.js";
export { MAX_LOGGED_BODY_BYTES_PER_INVOCATION, MAX_PARKED_BYTES_PER_BATCH, PARK_LAST_RESORT_ATTEMPT, parkDeadLetters } from "./dead-letters.js";
export { causedCommandId, ProcessManagerConsumer, type ProcessManagerConsumerOptions } from "./process-manager-runner.js";
export type { ProjectionQueueWork, ProjectionWorkBatch } from "./projection-queue-work.js";
export { MAX_STATEMENTS_PER_BATCH, ProjectionConsumer, type ProjectionConsumerOptions, type RebuildCheck, type ShadowWrites } from "./projection-runner.js";
export { PublisherConsumer } from "./publisher-runner.js";
export { eventRuns, healGaps, MAX_EVENTS_PER_TRANSACTION, retryDelaySeconds, type EventRun, type GapWork, type StreamWork } from "./stream-work.js";
export {
  CATCH_UP_REQUEUE_DELAY_SECONDS,
  CatchUpBudget,
  MAX_EVENTS_HEALED_PER_INVOCATION,
  MAX_EVENTS_HEALED_PER_STREAM,
  type Requeue,
} from "./catch-up.js";
export { createQueueHandler, type QueueHandler } from "./queue-handler.js";
