-- Runtime tables every read database carries (edge-cqrs). Never edit once applied: add a migration.

-- One row per (subscriber, stream): the highest version applied. Written in the same D1 batch
-- as the view change it accounts for. The CHECK turns a lost race into an aborted batch: the
-- guarded upsert writes -1 when another consumer moved the checkpoint first.
CREATE TABLE projection_checkpoints (
  projection TEXT NOT NULL,
  stream_id TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 0),
  PRIMARY KEY (projection, stream_id)
) WITHOUT ROWID;

-- Every stream any subscriber has seen: Durable Objects cannot be listed, and rebuilds need the ids.
CREATE TABLE stream_catalog (
  stream_id TEXT PRIMARY KEY,
  aggregate TEXT NOT NULL,
  first_seen_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX stream_catalog_by_aggregate ON stream_catalog (aggregate, stream_id);

-- The last error a subscriber met on a stream, so a parked message can say why it was parked.
CREATE TABLE projection_errors (
  projection TEXT NOT NULL,
  stream_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  error TEXT NOT NULL,
  failed_at TEXT NOT NULL,
  PRIMARY KEY (projection, stream_id)
) WITHOUT ROWID;

-- Messages a subscriber's dead-letter queue received, visible (and later replayable) from D1.
CREATE TABLE dead_letters (
  message_id TEXT PRIMARY KEY,
  projection TEXT NOT NULL,
  stream_id TEXT,
  version INTEGER,
  body TEXT NOT NULL,
  error TEXT,
  parked_at TEXT NOT NULL
);
CREATE INDEX dead_letters_by_projection ON dead_letters (projection, parked_at);
