-- Events an aggregate's outbox gave up sending to a subscriber's queue after its bounded attempts
-- (edge-cqrs). Written by the aggregate object; counted per queue by GET /admin/projections.
-- The subscriber still receives the event when a later event of the stream reveals the gap.
CREATE TABLE outbox_parked (
  queue TEXT NOT NULL,
  stream_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  error TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  parked_at TEXT NOT NULL,
  PRIMARY KEY (queue, stream_id, version)
) WITHOUT ROWID;
