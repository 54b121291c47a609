import { AGGREGATE_ID_PATTERN, defineQuery } from "edge-cqrs";
import { z } from "zod";
import { loanDetails } from "./projection";

const LoanView = z.object({
  id: z.string(),
  bookId: z.string(),
  memberId: z.string(),
  dueOn: z.string(),
  status: z.enum(["borrowed", "returned"]),
  version: z.number().int(),
});

type LoanRow = { id: string; book_id: string; member_id: string; due_on: string; status: "borrowed" | "returned"; version: number };

/** `GET /loans/:id`: one loan, or 404. Pass `?consistentWith=<token>` to read your own write. */
export const loanDetailsQuery = defineQuery({
  path: "/loans/{id}",
  summary: "One loan",
  params: z.object({ id: z.string().regex(AGGREGATE_ID_PATTERN) }),
  query: z.object({}),
  response: LoanView,
  projections: [loanDetails],
  async handle({ params, db }) {
    const row = await db.prepare("SELECT * FROM loan_details WHERE id = ?").bind(params.id).first<LoanRow>();
    if (!row) return null;
    return { id: row.id, bookId: row.book_id, memberId: row.member_id, dueOn: row.due_on, status: row.status, version: row.version };
  },
});
