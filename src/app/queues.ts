import type { QueueRef } from "edge-cqrs";

// One queue per subscriber, as wrangler.toml declares them (producers, consumers and dead-letter queues).
// `as const` keeps the binding names literal, so `Application<Env>` checks them against Env.
export const ORDER_DETAILS_QUEUE = { name: "order-details", binding: "ORDER_DETAILS_QUEUE", deadLetterQueue: "order-details-dlq" } as const satisfies QueueRef;
export const ORDER_HISTORY_QUEUE = { name: "order-history", binding: "ORDER_HISTORY_QUEUE", deadLetterQueue: "order-history-dlq" } as const satisfies QueueRef;
export const PROCESS_MANAGER_QUEUE = { name: "process-managers", binding: "PROCESS_MANAGER_QUEUE", deadLetterQueue: "process-managers-dlq" } as const satisfies QueueRef;
export const BLOCKED_CUSTOMER_ORDERS_QUEUE = {
  name: "blocked-customer-orders",
  binding: "BLOCKED_CUSTOMER_ORDERS_QUEUE",
  deadLetterQueue: "blocked-customer-orders-dlq",
} as const satisfies QueueRef;
export const ORDER_INTEGRATION_QUEUE = { name: "order-integration", binding: "ORDER_INTEGRATION_QUEUE", deadLetterQueue: "order-integration-dlq" } as const satisfies QueueRef;

/** Producer binding of the queue other systems consume the public order events from (docs/integration-events.md). */
export const INTEGRATION_EVENTS_QUEUE = "INTEGRATION_EVENTS_QUEUE";
