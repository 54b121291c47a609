import { defineProjection } from "edge-cqrs";
import { delivery } from "../delivery";
import { order } from "../order";
import { ORDER_DETAILS_QUEUE } from "../queues";

const setStatus = (db: D1Database, id: string, status: string, version: number) =>
  db.prepare("UPDATE order_details SET status = ?, version = ? WHERE id = ?").bind(status, version, id);
const setVersion = (db: D1Database, id: string, version: number) =>
  db.prepare("UPDATE order_details SET version = ? WHERE id = ?").bind(version, id);
const setDeliveryStatus = (db: D1Database, deliveryId: string, status: string) =>
  db.prepare("UPDATE order_details_deliveries SET status = ? WHERE delivery_id = ?").bind(status, deliveryId);

/** One row per order with its lines and its latest delivery: the view behind `GET /orders/:id`. */
export const orderDetails = defineProjection({
  name: "order-details",
  queue: ORDER_DETAILS_QUEUE,
  from: [order, delivery],
  // The tables it owns: what a rebuild (POST /admin/projections/:name/rebuild) builds anew.
  tables: ["order_details", "order_details_items", "order_details_deliveries"],
  handlers: {
    OrderPlaced: ({ aggregateId, version, data }, { db }) => [
      db
        .prepare("INSERT INTO order_details (id, customer_id, status, placed_at, version) VALUES (?, ?, 'placed', ?, ?)")
        .bind(aggregateId, data.customerId, data.placedAt, version),
      ...data.items.map((item, position) =>
        db
          .prepare("INSERT INTO order_details_items (order_id, sku, quantity, unit_price, position) VALUES (?, ?, ?, ?, ?)")
          .bind(aggregateId, item.sku, item.quantity, item.unitPrice, position),
      ),
    ],
    ItemAdded: ({ aggregateId, version, data }, { db }) => [
      db
        .prepare(
          `INSERT INTO order_details_items (order_id, sku, quantity, unit_price, position)
           VALUES (?1, ?2, ?3, ?4, (SELECT COALESCE(MAX(position) + 1, 0) FROM order_details_items WHERE order_id = ?1))
           ON CONFLICT (order_id, sku) DO UPDATE SET quantity = quantity + excluded.quantity`,
        )
        .bind(aggregateId, data.sku, data.quantity, data.unitPrice),
      setVersion(db, aggregateId, version),
    ],
    ItemRemoved: ({ aggregateId, version, data }, { db }) => [
      db.prepare("DELETE FROM order_details_items WHERE order_id = ? AND sku = ?").bind(aggregateId, data.sku),
      setVersion(db, aggregateId, version),
    ],
    OrderCancelled: ({ aggregateId, version }, { db }) => [setStatus(db, aggregateId, "cancelled", version)],
    OrderShipped: ({ aggregateId, version }, { db }) => [setStatus(db, aggregateId, "shipped", version)],
    OrderDelivered: ({ aggregateId, version }, { db }) => [setStatus(db, aggregateId, "delivered", version)],
    DeliveryScheduled: ({ aggregateId, data }, { db }) => [
      db
        .prepare("INSERT INTO order_details_deliveries (delivery_id, order_id, status, scheduled_at) VALUES (?, ?, 'scheduled', ?)")
        .bind(aggregateId, data.orderId, data.scheduledAt),
    ],
    DeliveryPickedUp: ({ aggregateId }, { db }) => [setDeliveryStatus(db, aggregateId, "picked_up")],
    DeliveryDelivered: ({ aggregateId }, { db }) => [setDeliveryStatus(db, aggregateId, "delivered")],
    DeliveryFailed: ({ aggregateId }, { db }) => [setDeliveryStatus(db, aggregateId, "failed")],
    DeliveryCancelled: ({ aggregateId }, { db }) => [setDeliveryStatus(db, aggregateId, "cancelled")],
  },
});
