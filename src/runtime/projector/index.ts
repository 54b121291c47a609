export { advanceCheckpoint, catalogStream, readCheckpoints } from "./checkpoints";
export { MAX_LOGGED_BODY_BYTES_PER_INVOCATION, MAX_PARKED_BYTES_PER_BATCH, PARK_LAST_RESORT_ATTEMPT, parkDeadLetters } from "./dead-letters";
export { causedCommandId, runProcessManager } from "./process-manager-runner";
export { MAX_STATEMENTS_PER_BATCH, runProjection } from "./projection-runner";
export { MAX_EVENTS_PER_TRANSACTION } from "./stream-work";
export {
  CATCH_UP_REQUEUE_DELAY_SECONDS,
  MAX_EVENTS_HEALED_PER_INVOCATION,
  MAX_EVENTS_HEALED_PER_STREAM,
  type Requeue,
} from "./catch-up";
export { createQueueHandler } from "./queue-handler";
