-- Every CloudEvent handled, by its identity: a redelivered event finds its row and is skipped.
CREATE TABLE received_events (
  source TEXT NOT NULL,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (source, id)
);

-- What this system knows of each order, built from the public events only.
CREATE TABLE orders (
  order_id TEXT PRIMARY KEY,
  customer_id TEXT,
  total_cents INTEGER,
  status TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
