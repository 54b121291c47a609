export {
  OutboxDispatcher,
  bindingQueueSender,
  byteLength,
  MAX_BATCH_BYTES,
  MAX_BATCH_MESSAGES,
  OUTBOX_ISOLATE_AFTER,
  OUTBOX_MAX_ATTEMPTS,
  OUTBOX_RETRY_BASE_MS,
  OUTBOX_RETRY_MAX_MS,
  OUTBOX_SAFETY_DELAY_MS,
  CATALOG_HEAD_DELAY_MS,
  OUTBOX_SEND_TIMEOUT_MS,
  type OutboxHooks,
  type OutboxRoute,
  type QueueSender,
} from "./outbox-dispatcher.js";
export { reportParked } from "./parked-report.js";
export { sendBatches } from "./send-batches.js";
