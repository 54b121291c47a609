-- The bare pipeline's read database: the same two views as the example, and one checkpoint per
-- (consumer, stream) written in the same D1 batch as the view change.
CREATE TABLE checkpoints (
  consumer TEXT NOT NULL,
  stream_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (consumer, stream_id)
) WITHOUT ROWID;

CREATE TABLE order_details (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  status TEXT NOT NULL,
  placed_at TEXT NOT NULL,
  version INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE order_details_items (
  order_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  unit_price INTEGER NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (order_id, sku)
) WITHOUT ROWID;

CREATE TABLE order_history (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  status TEXT NOT NULL,
  total INTEGER NOT NULL,
  item_count INTEGER NOT NULL,
  placed_at TEXT NOT NULL
) WITHOUT ROWID;
