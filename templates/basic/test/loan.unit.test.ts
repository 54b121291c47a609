import { given } from "edge-cqrs/testing";
import { describe, it } from "vitest";
import { loan } from "../src/app/loan/loan";

const borrowed = { type: "BookBorrowed", data: { bookId: "b-1", memberId: "m-1", dueOn: "2026-02-01", borrowedAt: "2026-01-01T00:00:00.000Z" } } as const;

// Deciders are pure: given past events, when a command, then new events or a rejection.
describe("a loan not made yet", () => {
  it("is made by borrow", () => {
    given(loan)
      .when({ type: "borrow", data: { bookId: "b-1", memberId: "m-1", dueOn: "2026-02-01" } })
      .then([borrowed])
      .thenState({ status: "borrowed", bookId: "b-1", memberId: "m-1" });
  });

  it("cannot be returned", () => {
    given(loan).when({ type: "return", data: {} }).thenRejects("not_borrowed");
  });

  it("refuses a due date that is not a date", () => {
    given(loan).whenInvalid({ type: "borrow", data: { bookId: "b-1", memberId: "m-1", dueOn: "soon" } });
  });
});

describe("a borrowed loan", () => {
  it("is returned", () => {
    given(loan, [borrowed])
      .when({ type: "return", data: {} })
      .then([{ type: "BookReturned", data: { returnedAt: "2026-01-01T00:00:00.000Z" } }]);
  });

  it("cannot be borrowed again", () => {
    given(loan, [borrowed]).when({ type: "borrow", data: { bookId: "b-2", memberId: "m-1", dueOn: "2026-02-01" } }).thenRejects("loan_exists");
  });
});
