export { advanceCheckpoint, catalogStream, readCheckpoints } from "./checkpoints";
export { parkDeadLetters } from "./dead-letters";
export { causedCommandId, runProcessManager } from "./process-manager-runner";
export { MAX_EVENTS_PER_TRANSACTION, MAX_STATEMENTS_PER_BATCH, runProjection } from "./projection-runner";
export { createQueueHandler } from "./queue-handler";
