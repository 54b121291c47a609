export { isRebuildMessage, REBUILD_STEP_DELAY_SECONDS, rebuildQueue, type RebuildMessage, type RebuildQueue } from "./rebuild-messages.js";
export { readFillingProgress, recordIfFilled, type FillingOutcome, type FillingProgress } from "./filling.js";
export { rebuildQueueWork } from "./rebuild-jobs.js";
export { readRebuildStatus, type RebuildStatus } from "./rebuild-state.js";
export { MAX_JOBS_PER_STEP, REBUILD_JOB_GRACE_MS } from "./rebuild-step.js";
export { reconcileProjection, REBUILD_STALL_MS, reportReconcileFailed, type Reconciliation } from "./reconcile.js";
export { startRebuild, type RebuildCause } from "./start-rebuild.js";
export { MAX_REBUILD_READ_ATTEMPTS } from "./stream-job.js";
export { renameWords, shadowName } from "./shadow-tables.js";
