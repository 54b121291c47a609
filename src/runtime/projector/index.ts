export { advanceCheckpoint, catalogStream, readCheckpoints } from "./checkpoints";
export { parkDeadLetters } from "./dead-letters";
export { causedCommandId, runProcessManager } from "./process-manager-runner";
export { MAX_STATEMENTS_PER_BATCH, runProjection } from "./projection-runner";
export { MAX_EVENTS_PER_TRANSACTION } from "./stream-work";
export { createQueueHandler } from "./queue-handler";
