-- How far behind each subscriber runs: written once per consumed batch, read by GET /admin/projections.
CREATE TABLE projection_stats (
  projection TEXT PRIMARY KEY,
  last_batch_at TEXT NOT NULL,
  -- Time from the oldest message's enqueue to the end of its batch: the queue's share of lag.
  last_lag_ms INTEGER NOT NULL,
  messages INTEGER NOT NULL
) WITHOUT ROWID;
