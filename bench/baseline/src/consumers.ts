import type { BaselineEnv, OrderEnvelope } from "./env";
import type { Line } from "./order-rules";

/** Consumer names as the checkpoints table keys them. */
export const DETAILS = "order-details";
const HISTORY = "order-history";

type ViewStatements = (db: D1Database, event: OrderEnvelope) => D1PreparedStatement[];

/** The example's view statements for the two events the bench sends, per consumer. */
const detailsStatements: ViewStatements = (db, { aggregateId, version, type, data }) => {
  if (type === "OrderPlaced") {
    const { customerId, items, placedAt } = data as { customerId: string; items: Line[]; placedAt: string };
    return [
      db.prepare("INSERT INTO order_details (id, customer_id, status, placed_at, version) VALUES (?, ?, 'placed', ?, ?)").bind(aggregateId, customerId, placedAt, version),
      ...items.map((item, position) =>
        db.prepare("INSERT INTO order_details_items (order_id, sku, quantity, unit_price, position) VALUES (?, ?, ?, ?, ?)").bind(aggregateId, item.sku, item.quantity, item.unitPrice, position),
      ),
    ];
  }
  const { sku, quantity, unitPrice } = data as unknown as Line;
  return [
    db
      .prepare(
        `INSERT INTO order_details_items (order_id, sku, quantity, unit_price, position)
         VALUES (?1, ?2, ?3, ?4, (SELECT COALESCE(MAX(position) + 1, 0) FROM order_details_items WHERE order_id = ?1))
         ON CONFLICT (order_id, sku) DO UPDATE SET quantity = quantity + excluded.quantity`,
      )
      .bind(aggregateId, sku, quantity, unitPrice),
    db.prepare("UPDATE order_details SET version = ? WHERE id = ?").bind(version, aggregateId),
  ];
};

const historyStatements: ViewStatements = (db, { aggregateId, type, data }) => {
  if (type === "OrderPlaced") {
    const { customerId, items, placedAt } = data as { customerId: string; items: Line[]; placedAt: string };
    const total = items.reduce((sum, i) => sum + i.quantity * i.unitPrice, 0);
    const count = items.reduce((sum, i) => sum + i.quantity, 0);
    return [
      db.prepare("INSERT INTO order_history (id, customer_id, status, total, item_count, placed_at) VALUES (?, ?, 'placed', ?, ?, ?)").bind(aggregateId, customerId, total, count, placedAt),
    ];
  }
  const { quantity, unitPrice } = data as unknown as Line;
  return [db.prepare("UPDATE order_history SET total = total + ?, item_count = item_count + ? WHERE id = ?").bind(quantity * unitPrice, quantity, aggregateId)];
};

const CONSUMERS: Record<string, { name: string; statements: ViewStatements }> = {
  "baseline-order-details": { name: DETAILS, statements: detailsStatements },
  "baseline-order-history": { name: HISTORY, statements: historyStatements },
};

/**
 * One D1 batch per queue batch: every message's view statements and its checkpoint. Duplicates
 * are not detected (the bare pipeline's shortcut, invisible while a queue delivers each message once).
 */
export async function consume(batch: MessageBatch<OrderEnvelope>, env: BaselineEnv): Promise<void> {
  const consumer = CONSUMERS[batch.queue];
  if (!consumer) throw new Error(`no consumer for queue ${batch.queue}`);
  const db = env.READ_DB;
  const statements = batch.messages.flatMap(({ body }) => [
    ...consumer.statements(db, body),
    db
      .prepare("INSERT INTO checkpoints (consumer, stream_id, version) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET version = MAX(version, excluded.version)")
      .bind(consumer.name, body.streamId, body.version),
  ]);
  await db.batch(statements);
}
