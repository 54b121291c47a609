-- A dead letter that must not be replayed as it is: its body is not an event envelope that fits a
-- queue message, or the dead-letter consumer could not store its body (the row then has an empty
-- body and the full body is in the Worker's logs). Kept for an operator, never sent back, and
-- never in the way of the rows parked after it.
ALTER TABLE dead_letters ADD COLUMN quarantined_at TEXT;
ALTER TABLE dead_letters ADD COLUMN quarantine_reason TEXT;

-- Replay reads the oldest rows not quarantined, a page at a time.
CREATE INDEX dead_letters_replayable ON dead_letters (projection, quarantined_at, parked_at, message_id);
