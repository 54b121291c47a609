import { defineProjection } from "edge-cqrs";
import { loan } from "../loan/loan";

/** One row per loan: the view behind `GET /loans/:id`. */
export const loanDetails = defineProjection({
  name: "loan-details",
  queue: { name: "loan-details", binding: "LOAN_DETAILS_QUEUE", deadLetterQueue: "loan-details-dlq" },
  from: [loan],
  // The tables it owns: what a rebuild (POST /admin/projections/:name/rebuild) builds anew.
  tables: ["loan_details"],
  handlers: {
    BookBorrowed: ({ aggregateId, version, data }, { db }) => [
      db
        .prepare("INSERT INTO loan_details (id, book_id, member_id, due_on, status, version) VALUES (?, ?, ?, ?, 'borrowed', ?)")
        .bind(aggregateId, data.bookId, data.memberId, data.dueOn, version),
    ],
    BookReturned: ({ aggregateId, version }, { db }) => [
      db.prepare("UPDATE loan_details SET status = 'returned', version = ? WHERE id = ?").bind(version, aggregateId),
    ],
  },
});
