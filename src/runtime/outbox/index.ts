export {
  OutboxDispatcher,
  bindingQueueSender,
  byteLength,
  MAX_BATCH_BYTES,
  MAX_BATCH_MESSAGES,
  OUTBOX_RETRY_BASE_MS,
  OUTBOX_RETRY_MAX_MS,
  OUTBOX_SAFETY_DELAY_MS,
  type OutboxRoute,
  type QueueSender,
} from "./outbox-dispatcher";
