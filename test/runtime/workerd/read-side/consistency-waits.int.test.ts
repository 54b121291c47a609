import { createExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeConsistencyToken, MAX_CONCURRENT_WAITERS, MAX_POLLS_PER_WAIT, MAX_TOKEN_POSITIONS } from "../../../../src/runtime/consistency";
import { runCommand } from "../../../support/api-client";
import { CapturedEvents } from "../../../support/captured-events";
import { API_TOKEN } from "../../../support/http";
import { watchD1, type D1Call } from "../../../support/watched-d1";
import { STATEMENT } from "../../fixture/support";
import { deliver } from "../../fixture/support/delivery";
import { fixtureEnv } from "../../fixture/support/worker";
import worker from "../../fixture/worker";

// A `?consistentWith=` wait polls D1, which runs one query at a time per database: every read a
// waiter makes is one the projectors queue behind. The waits are bounded in queries per request
// and in waiters per isolate.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const isSchemaCheck = (call: D1Call) => call.statements.some((statement) => statement.sql.includes("edge_cqrs_schema"));

/** GET a query through the Worker with READ_DB counted: the response and the D1 round trips it made. */
function countedQuery(path: string): { response: Promise<Response>; queries: () => number } {
  let queries = 0;
  // The wrapper is a database object the isolate has not seen, so the runtime checks its own
  // tables once (one batch on `edge_cqrs_schema`); that is not the wait's polling, so it is not counted.
  const counted = { ...fixtureEnv, READ_DB: watchD1(fixtureEnv.READ_DB, (call) => void (isSchemaCheck(call) || queries++)) };
  const request = new Request(`https://edge-cqrs.test${path}`, { headers: { Authorization: `Bearer ${API_TOKEN}` } });
  return { response: Promise.resolve(worker.fetch(request, counted, createExecutionContext())), queries: () => queries };
}

/** A token no projection will reach: version 1 of streams nobody writes, accounts and payments alike. */
function unreachableToken(pairs: number, prefix: string): string {
  return encodeConsistencyToken(
    Array.from({ length: pairs }, (_, i) => ({ streamId: `${i % 2 === 0 ? "account" : "payment"}/${prefix}-${i}`, version: 1 })),
  );
}

describe("consistency waits", () => {
  const captured = new CapturedEvents();
  let reached: string;

  beforeAll(async () => {
    await captured.install("account/cw-1");
    reached = (await runCommand("account/cw-1/open", { owner: "c-cw" })).token;
    const { acked, ids } = await deliver(STATEMENT, captured.streamSentTo(STATEMENT, "account/cw-1"));
    expect(acked).toEqual(ids);
  });

  it("checks every pair of a token in one query per poll and polls less often as time passes", async () => {
    // The most pairs a token may name, over the two aggregates the statement projection follows.
    const { response, queries } = countedQuery(`/accounts/cw-1/statement?consistentWith=${unreachableToken(MAX_TOKEN_POSITIONS, "never")}&wait=10000`);
    const stale = await response;
    expect(stale.status).toBe(412);
    expect(((await stale.json()) as { pending: unknown[] }).pending).toHaveLength(MAX_TOKEN_POSITIONS);
    // Before: one query per 99 pairs every 5-50 ms, ~400 for this request.
    expect(queries()).toBeGreaterThan(1);
    expect(queries()).toBeLessThanOrEqual(MAX_POLLS_PER_WAIT);
  });

  it("answers at once with 503 too_many_waiters when the isolate's waiters are all taken", async () => {
    const waiting = Array.from({ length: MAX_CONCURRENT_WAITERS }, (_, i) => countedQuery(`/accounts/cw-1/statement?consistentWith=${unreachableToken(1, `busy-${i}`)}&wait=2000`));
    // A waiter has taken its slot once it polls a second time.
    while (waiting.some((w) => w.queries() < 2)) await sleep(5);

    const refused = await countedQuery(`/accounts/cw-1/statement?consistentWith=${unreachableToken(1, "one-more")}&wait=2000`).response;
    expect(refused.status).toBe(503);
    expect(refused.headers.get("Retry-After")).toMatch(/^[1-9][0-9]*$/);
    expect(await refused.json()).toMatchObject({ error: "too_many_waiters", message: expect.any(String), limit: MAX_CONCURRENT_WAITERS });

    // A token already reached needs no slot: its first check answers it.
    const fresh = await countedQuery(`/accounts/cw-1/statement?consistentWith=${reached}&wait=2000`).response;
    expect(fresh.status).toBe(200);

    const settled = await Promise.all(waiting.map((w) => w.response));
    expect(settled.map((r) => r.status)).toEqual(waiting.map(() => 412));
    const again = await countedQuery(`/accounts/cw-1/statement?consistentWith=${unreachableToken(1, "after")}&wait=20`).response;
    expect(again.status).toBe(412);
  });
});
