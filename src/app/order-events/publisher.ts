import { definePublisher } from "edge-cqrs";
import { order } from "../order";
import { INTEGRATION_EVENTS_QUEUE, ORDER_INTEGRATION_QUEUE } from "../queues";
import { OrderCancelledV1, OrderDeliveredV1, OrderPlacedV1, OrderShippedV1 } from "./public-events";

/** The CloudEvent `source` of everything the example publishes. */
export const ORDER_EVENTS_SOURCE = "/edge-cqrs/example";

/**
 * The order's life as other systems see it: placed, shipped, delivered or cancelled. Item edits
 * (`ItemAdded`, `ItemRemoved`) stay inside: they have no mapping, so they are never published.
 */
export const orderEventsOut = definePublisher({
  name: "order-integration",
  queue: ORDER_INTEGRATION_QUEUE,
  from: [order],
  source: ORDER_EVENTS_SOURCE,
  integrationQueue: INTEGRATION_EVENTS_QUEUE,
  events: {
    OrderPlaced: {
      type: "com.example.order.placed",
      schema: OrderPlacedV1,
      data: ({ aggregateId, data }) => ({
        orderId: aggregateId,
        customerId: data.customerId,
        lines: data.items.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPriceCents: unitPrice })),
        totalCents: data.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0),
        placedAt: data.placedAt,
      }),
    },
    OrderShipped: {
      type: "com.example.order.shipped",
      schema: OrderShippedV1,
      data: ({ aggregateId, data }) => ({ orderId: aggregateId, shippedAt: data.shippedAt }),
    },
    OrderDelivered: {
      type: "com.example.order.delivered",
      schema: OrderDeliveredV1,
      data: ({ aggregateId, data }) => ({ orderId: aggregateId, deliveredAt: data.deliveredAt }),
    },
    OrderCancelled: {
      type: "com.example.order.cancelled",
      schema: OrderCancelledV1,
      data: ({ aggregateId, data }) => ({ orderId: aggregateId, reason: data.reason, cancelledAt: data.cancelledAt }),
    },
  },
});
