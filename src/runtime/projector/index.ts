export { advanceCheckpoint, catalogStream, readCheckpoints } from "./checkpoints";
export { MAX_PARKED_BYTES_PER_BATCH, PARK_LAST_RESORT_ATTEMPT, parkDeadLetters } from "./dead-letters";
export { causedCommandId, runProcessManager } from "./process-manager-runner";
export { MAX_STATEMENTS_PER_BATCH, runProjection } from "./projection-runner";
export { MAX_EVENTS_PER_TRANSACTION } from "./stream-work";
export { createQueueHandler } from "./queue-handler";
