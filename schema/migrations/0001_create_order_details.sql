-- Read model of the order-details projection: GET /orders/:id.
CREATE TABLE order_details (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  status TEXT NOT NULL,
  placed_at TEXT NOT NULL,
  -- The order stream's version this row reflects.
  version INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE order_details_items (
  order_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  unit_price INTEGER NOT NULL,
  -- Lines keep the order they were added in.
  position INTEGER NOT NULL,
  PRIMARY KEY (order_id, sku)
) WITHOUT ROWID;

-- Fed by delivery streams, which can arrive before their order's: kept apart and joined at read time.
CREATE TABLE order_details_deliveries (
  delivery_id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL,
  status TEXT NOT NULL,
  scheduled_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX order_details_deliveries_by_order ON order_details_deliveries (order_id, scheduled_at);
