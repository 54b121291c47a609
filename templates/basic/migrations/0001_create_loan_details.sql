-- Read model of the loan-details projection: GET /loans/:id. Never edit once applied: add a migration.
CREATE TABLE loan_details (
  id TEXT PRIMARY KEY,
  book_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  due_on TEXT NOT NULL,
  status TEXT NOT NULL,
  -- The loan stream's version this row reflects.
  version INTEGER NOT NULL
) WITHOUT ROWID;
