import { beforeAll, describe, expect, it } from "vitest";
import { STATEMENT } from "../../fixture/support";
import { deliver } from "../../fixture/support/delivery";
import { getQuery, runCommand } from "../../../support/api-client";
import { CapturedEvents } from "../../../support/captured-events";

// A query's own query string (the fixture's statement pages with ?limit= and ?cursor=): parsed by
// the query's schema, coerced and defaulted, refused as 400 invalid_query with the issues when it
// does not fit, and a handler's own HttpError answered as it threw it.
const DEPOSITS = [100, 200, 300, 400, 500];

type Statement = { lines: { version: number; amount: number }[]; cursor: string | null };

async function statement(query: string): Promise<{ status: number; body: Statement & { error?: string; issues?: unknown[] } }> {
  const response = await getQuery(`/accounts/qs-1/statement${query}`);
  return { status: response.status, body: await response.json() };
}

describe("a query's own query string", () => {
  beforeAll(async () => {
    const captured = new CapturedEvents();
    await captured.install("account/qs-1");
    await runCommand("account/qs-1/open", { owner: "c-qs" });
    for (const amount of DEPOSITS) await runCommand("account/qs-1/deposit", { amount });
    const { acked, ids } = await deliver(STATEMENT, captured.streamSentTo(STATEMENT, "account/qs-1"));
    expect(acked).toEqual(ids);
  });

  it("applies the schema's default when the parameter is absent", async () => {
    const { status, body } = await statement("");
    expect(status).toBe(200);
    expect(body).toEqual({ lines: DEPOSITS.map((amount, i) => expect.objectContaining({ version: i + 2, amount })), cursor: null });
  });

  it("coerces ?limit= and pages on with the cursor the handler issued", async () => {
    const first = await statement("?limit=2");
    expect(first.body.lines.map((l) => l.amount)).toEqual([100, 200]);
    const second = await statement(`?limit=2&cursor=${first.body.cursor}`);
    expect(second.body.lines.map((l) => l.amount)).toEqual([300, 400]);
    const last = await statement(`?limit=2&cursor=${second.body.cursor}`);
    expect(last.body).toEqual({ lines: [expect.objectContaining({ amount: 500 })], cursor: null });
  });

  it.each([
    ["a limit that is not a number", "?limit=two"],
    ["a limit past the schema's maximum", "?limit=101"],
    ["a cursor past the schema's maximum length", `?cursor=${"A".repeat(513)}`],
  ])("refuses %s as 400 invalid_query with the issues", async (_label, query) => {
    const { status, body } = await statement(query);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: "invalid_query", issues: [expect.objectContaining({ path: expect.any(Array) })] });
  });

  it("answers a handler's own HttpError with its status and code", async () => {
    const { status, body } = await statement("?cursor=not-one-we-issued");
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: "invalid_query", message: "cursor is not one this API issued" });
  });
});
