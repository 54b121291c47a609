-- Every CloudEvent handled, by its identity: a redelivered event finds its row and is passed over.
CREATE TABLE received_events (
  source TEXT NOT NULL,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  subject TEXT NOT NULL,
  time TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (source, id)
) WITHOUT ROWID;

-- What this system learned: per subject (an aggregate's id), the latest event by its `time`.
CREATE TABLE subjects (
  source TEXT NOT NULL,
  subject TEXT NOT NULL,
  last_type TEXT NOT NULL,
  last_time TEXT NOT NULL,
  PRIMARY KEY (source, subject)
) WITHOUT ROWID;
