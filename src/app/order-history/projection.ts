import { defineProjection } from "edge-cqrs";
import { delivery } from "../delivery";
import { order } from "../order";
import { ORDER_HISTORY_QUEUE } from "../queues";

const setStatus = (db: D1Database, id: string, status: string) => db.prepare("UPDATE order_history SET status = ? WHERE id = ?").bind(status, id);
const setDeliveryStatus = (db: D1Database, deliveryId: string, status: string) =>
  db.prepare("UPDATE order_history_deliveries SET status = ? WHERE delivery_id = ?").bind(status, deliveryId);
/** Lines change the running total and unit count by ±quantity × unitPrice, so no read is needed. */
const adjustTotals = (db: D1Database, id: string, sign: 1 | -1, quantity: number, unitPrice: number) =>
  db
    .prepare("UPDATE order_history SET total = total + ?, item_count = item_count + ? WHERE id = ?")
    .bind(sign * quantity * unitPrice, sign * quantity, id);

/**
 * A customer's orders, newest first, joined with their deliveries: the view behind
 * `GET /customers/:customerId/orders`. `itemCount` counts units (Σ quantity).
 */
export const orderHistory = defineProjection({
  name: "order-history",
  queue: ORDER_HISTORY_QUEUE,
  from: [order, delivery],
  // The tables it owns: what a rebuild (POST /admin/projections/:name/rebuild) builds anew.
  tables: ["order_history", "order_history_deliveries"],
  handlers: {
    OrderPlaced: ({ aggregateId, data }, { db }) => [
      db
        .prepare("INSERT INTO order_history (id, customer_id, status, total, item_count, placed_at) VALUES (?, ?, 'placed', ?, ?, ?)")
        .bind(
          aggregateId,
          data.customerId,
          data.items.reduce((sum, i) => sum + i.quantity * i.unitPrice, 0),
          data.items.reduce((sum, i) => sum + i.quantity, 0),
          data.placedAt,
        ),
    ],
    ItemAdded: ({ aggregateId, data }, { db }) => [adjustTotals(db, aggregateId, 1, data.quantity, data.unitPrice)],
    ItemRemoved: ({ aggregateId, data }, { db }) => [adjustTotals(db, aggregateId, -1, data.quantity, data.unitPrice)],
    OrderCancelled: ({ aggregateId }, { db }) => [setStatus(db, aggregateId, "cancelled")],
    OrderShipped: ({ aggregateId }, { db }) => [setStatus(db, aggregateId, "shipped")],
    OrderDelivered: ({ aggregateId }, { db }) => [setStatus(db, aggregateId, "delivered")],
    DeliveryScheduled: ({ aggregateId, data }, { db }) => [
      db
        .prepare("INSERT INTO order_history_deliveries (delivery_id, order_id, status, scheduled_at) VALUES (?, ?, 'scheduled', ?)")
        .bind(aggregateId, data.orderId, data.scheduledAt),
    ],
    DeliveryPickedUp: ({ aggregateId }, { db }) => [setDeliveryStatus(db, aggregateId, "picked_up")],
    DeliveryDelivered: ({ aggregateId }, { db }) => [setDeliveryStatus(db, aggregateId, "delivered")],
    DeliveryFailed: ({ aggregateId }, { db }) => [setDeliveryStatus(db, aggregateId, "failed")],
    DeliveryCancelled: ({ aggregateId }, { db }) => [setDeliveryStatus(db, aggregateId, "cancelled")],
  },
});
