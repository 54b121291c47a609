-- Read model of the order-history projection: GET /customers/:customerId/orders.
CREATE TABLE order_history (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  status TEXT NOT NULL,
  total INTEGER NOT NULL,
  item_count INTEGER NOT NULL,
  placed_at TEXT NOT NULL
) WITHOUT ROWID;
-- Newest first with a stable tie-break: the keyset the opaque cursor encodes.
CREATE INDEX order_history_by_customer ON order_history (customer_id, placed_at DESC, id DESC);

CREATE TABLE order_history_deliveries (
  delivery_id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL,
  status TEXT NOT NULL,
  scheduled_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX order_history_deliveries_by_order ON order_history_deliveries (order_id, scheduled_at);
