import { defineAggregate, reject } from "edge-cqrs";
import { z } from "zod";

const Id = z.string().min(1).max(64);

/** A library loan: a member borrows one book and returns it. The client chooses the loan's id. */
export const loan = defineAggregate({
  name: "loan",
  commands: {
    borrow: z.object({ bookId: Id, memberId: Id, dueOn: z.iso.date() }),
    return: z.object({}),
  },
  events: {
    BookBorrowed: z.object({ bookId: Id, memberId: Id, dueOn: z.iso.date(), borrowedAt: z.iso.datetime() }),
    BookReturned: z.object({ returnedAt: z.iso.datetime() }),
  },
  initialState: (): LoanState => ({ status: "none" }),
  decide(command, state) {
    switch (command.type) {
      case "borrow":
        if (state.status !== "none") reject("loan_exists", "this loan has already been made");
        return [{ type: "BookBorrowed", data: { ...command.data, borrowedAt: command.metadata.now } }];
      case "return":
        if (state.status !== "borrowed") reject("not_borrowed", "only a borrowed book can be returned");
        return [{ type: "BookReturned", data: { returnedAt: command.metadata.now } }];
    }
  },
  evolve(_state, event): LoanState {
    switch (event.type) {
      case "BookBorrowed":
        return { status: "borrowed", bookId: event.data.bookId, memberId: event.data.memberId };
      case "BookReturned":
        return { status: "returned" };
    }
  },
});

export type LoanState =
  | { readonly status: "none" }
  | { readonly status: "borrowed"; readonly bookId: string; readonly memberId: string }
  | { readonly status: "returned" };
