import { exports } from "cloudflare:workers";
import { testClient } from "edge-cqrs/testing";
import { describe, expect, it } from "vitest";

// Inside workerd, against the real Worker: the command runs in its Durable Object, the outbox sends
// to the local queue, the projection writes D1, and the query waits for the command's token.
const client = () => testClient((request) => exports.default.fetch(request), { token: "test-api-token" });

describe("loan details", () => {
  it("shows a borrowed book to the client that borrowed it", async () => {
    const api = client();
    const borrowed = await api.command("loan", "l-1", "borrow", { bookId: "b-1", memberId: "m-1", dueOn: "2026-02-01" });
    expect(borrowed.ok).toBe(true);
    const view = await api.query("/loans/l-1");
    expect(view).toEqual({ status: 200, body: { id: "l-1", bookId: "b-1", memberId: "m-1", dueOn: "2026-02-01", status: "borrowed", version: 1 } });
  });

  it("shows the return once it is projected", async () => {
    const api = client();
    await api.command("loan", "l-2", "borrow", { bookId: "b-2", memberId: "m-1", dueOn: "2026-02-01" });
    await api.command("loan", "l-2", "return");
    expect((await api.query("/loans/l-2")).body).toMatchObject({ status: "returned", version: 2 });
  });

  it("refuses to return a book that was never borrowed, with a machine-readable reason", async () => {
    const returned = await client().command("loan", "l-3", "return");
    expect(returned).toMatchObject({ ok: false, status: 422, body: { error: "rejected", reason: "not_borrowed" } });
  });

  it("answers 404 for a loan nobody made", async () => {
    expect((await client().query("/loans/nobody")).status).toBe(404);
  });
});
