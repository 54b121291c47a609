import type { QueueRef } from "edge-cqrs";

// One queue per subscriber, as wrangler.toml declares them (producers, consumers and dead-letter queues).
export const ORDER_DETAILS_QUEUE: QueueRef = { name: "order-details", binding: "ORDER_DETAILS_QUEUE", deadLetterQueue: "order-details-dlq" };
export const ORDER_HISTORY_QUEUE: QueueRef = { name: "order-history", binding: "ORDER_HISTORY_QUEUE", deadLetterQueue: "order-history-dlq" };
export const PROCESS_MANAGER_QUEUE: QueueRef = { name: "process-managers", binding: "PROCESS_MANAGER_QUEUE", deadLetterQueue: "process-managers-dlq" };
export const ORDER_INTEGRATION_QUEUE: QueueRef = { name: "order-integration", binding: "ORDER_INTEGRATION_QUEUE", deadLetterQueue: "order-integration-dlq" };

/** Producer binding of the queue other systems consume the public order events from (docs/integration-events.md). */
export const INTEGRATION_EVENTS_QUEUE = "INTEGRATION_EVENTS_QUEUE";
