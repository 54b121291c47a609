import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

// Inside workerd, against the real Worker: the command runs in its Durable Object, the outbox sends
// to the local queue, the projection writes D1, and the query waits for the consistency token.
const API = { Authorization: "Bearer test-api-token", "Content-Type": "application/json" };
const call = (path: string, init: RequestInit = {}) => exports.default.fetch(new Request(`https://loans.test${path}`, init));

describe("loan details", () => {
  it("shows a borrowed book to the client that borrowed it", async () => {
    const borrowed = await call("/commands/loan/l-1/borrow", {
      method: "POST",
      headers: API,
      body: JSON.stringify({ bookId: "b-1", memberId: "m-1", dueOn: "2026-02-01" }),
    });
    expect(borrowed.status).toBe(200);
    const { token } = (await borrowed.json()) as { token: string };

    const view = await call(`/loans/l-1?consistentWith=${token}&wait=10000`, { headers: API });
    expect(view.status).toBe(200);
    expect(await view.json()).toEqual({ id: "l-1", bookId: "b-1", memberId: "m-1", dueOn: "2026-02-01", status: "borrowed", version: 1 });
  });

  it("refuses to return a book that was never borrowed, with a machine-readable reason", async () => {
    const response = await call("/commands/loan/l-2/return", { method: "POST", headers: API, body: "{}" });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: "rejected", reason: "not_borrowed" });
  });

  it("answers 404 for a loan nobody made", async () => {
    expect((await call("/loans/nobody", { headers: API })).status).toBe(404);
  });
});
