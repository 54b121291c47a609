import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { MAX_LOGGED_BODY_BYTES_PER_INVOCATION, MAX_PARKED_BYTES_PER_BATCH, PARK_LAST_RESORT_ATTEMPT } from "../../../../src/runtime/projector";
import { adminGet, json } from "../../../support/http";
import { rows } from "../../../support/read-model";
import { watchD1, type D1Call } from "../../../support/watched-d1";
import type { FixtureEnv } from "../../fixture/env";
import { deliver } from "../../fixture/support/delivery";
import { fixtureEnv as env } from "../../fixture/support/worker";

// The dead-letter consumer is the last stop of a message: a dead-letter queue has no dead-letter
// queue of its own, and a message past its last retry is deleted. So it writes in size-bounded
// D1 batches, retries what D1 refused, and when attempts run short parks the message without its
// body (visible in the listing) and logs the body in full: never a silent loss.
const DEAD_LETTER_QUEUE = "fixture-balances-dlq";

const isParkingWrite = (call: D1Call) => call.statements.some((s) => s.sql.includes("INSERT INTO dead_letters"));
/** The body bound to a parking INSERT (its fifth parameter), or "" for the compact, quarantined row that has none. */
const boundBody = (statement: D1Call["statements"][number]) =>
  !statement.sql.includes("quarantine_reason") && typeof statement.params[4] === "string" ? statement.params[4] : "";

/** READ_DB that refuses the parking writes `refuse` picks, as a D1 outage or a body D1 will not take would. */
function refusingEnv(refuse: (call: D1Call) => boolean): FixtureEnv {
  return {
    ...env,
    READ_DB: watchD1(env.READ_DB, (call) => {
      if (isParkingWrite(call) && refuse(call)) throw new Error("D1_ERROR: refused (test)");
    }),
  };
}

const bigBody = (i: number) => ({ streamId: `account/big-${i}`, version: 1, padding: "x".repeat(100_000) });

/** The JSON lines written through a spied `console.error`, parsed (docs/operations.md, "Logs"). */
const errorLines = (logged: MockInstance): Record<string, unknown>[] =>
  logged.mock.calls
    .map((args) => args[0])
    .filter((first): first is string => typeof first === "string" && first.startsWith("{"))
    .map((text) => JSON.parse(text) as Record<string, unknown>);

describe("dead-letter consumer", () => {
  beforeEach(async () => {
    await env.READ_DB.prepare("DELETE FROM dead_letters").run();
  });
  afterEach(() => vi.restoreAllMocks());

  it("parks 100 bodies of 100 KB in D1 batches of bounded size, acking each", async () => {
    const batches: number[] = [];
    const watched: FixtureEnv = {
      ...env,
      READ_DB: watchD1(env.READ_DB, (call) => {
        if (isParkingWrite(call)) batches.push(call.statements.reduce((bytes, s) => bytes + boundBody(s).length, 0));
      }),
    };
    const { acked, ids } = await deliver(DEAD_LETTER_QUEUE, Array.from({ length: 100 }, (_, i) => bigBody(i)), 1, watched);
    expect(acked.sort()).toEqual([...ids].sort());
    expect(await rows("SELECT message_id FROM dead_letters WHERE stream_id LIKE 'account/big-%'")).toHaveLength(100);
    // Before: one D1 batch of all hundred (10 MB).
    expect(batches.length).toBeGreaterThan(1);
    for (const bytes of batches) expect(bytes).toBeLessThanOrEqual(MAX_PARKED_BYTES_PER_BATCH);
  });

  it("retries a message D1 refuses and keeps the ones it took", async () => {
    const bodies = [{ streamId: "account/ok-1", version: 1 }, { streamId: "account/refused", version: 1 }];
    const refuseOne = refusingEnv((call) => call.statements.some((s) => boundBody(s).includes("account/refused")));
    const { acked, retried } = await deliver(DEAD_LETTER_QUEUE, bodies, 1, refuseOne);
    expect(acked).toHaveLength(1);
    expect(retried).toHaveLength(1);
    expect(await rows<{ stream_id: string }>("SELECT stream_id FROM dead_letters")).toEqual([{ stream_id: "account/ok-1" }]);
  });

  it(`from attempt ${PARK_LAST_RESORT_ATTEMPT} parks a body D1 refuses without it, quarantined, and logs the body as one JSON line`, async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const body = bigBody(7);
    const withoutBodies = refusingEnv((call) => call.statements.some((s) => boundBody(s) !== ""));

    const early = await deliver(DEAD_LETTER_QUEUE, [body], PARK_LAST_RESORT_ATTEMPT - 1, withoutBodies);
    expect(early.retried).toEqual(early.ids);
    expect(await rows("SELECT * FROM dead_letters")).toEqual([]);
    expect(errorLines(logged).filter((l) => l.messageId === early.ids[0])).toEqual([
      expect.objectContaining({ level: "error", event: "dead-letters.park-failed", subscriber: "balances", attempts: PARK_LAST_RESORT_ATTEMPT - 1, delaySeconds: expect.any(Number), error: expect.stringContaining("refused (test)") }),
    ]);

    const last = await deliver(DEAD_LETTER_QUEUE, [body], PARK_LAST_RESORT_ATTEMPT, withoutBodies);
    expect(last.acked).toEqual(last.ids);
    const [row] = await rows<{ message_id: string; stream_id: string; body: string; quarantined_at: string | null; quarantine_reason: string }>(
      "SELECT message_id, stream_id, body, quarantined_at, quarantine_reason FROM dead_letters",
    );
    expect(row).toMatchObject({ message_id: last.ids[0], stream_id: "account/big-7", body: "", quarantined_at: expect.any(String) });
    expect(row!.quarantine_reason).toMatch(/dead_letter_body_not_stored/);

    const bodyLines = errorLines(logged).filter((l) => l.event === "dead_letter_body_not_stored" && l.messageId === last.ids[0]);
    expect(bodyLines).toEqual([expect.objectContaining({ level: "error", subscriber: "balances", streamId: "account/big-7", attempts: PARK_LAST_RESORT_ATTEMPT, body })]);

    // The operator sees it in the listing, with no body and the reason; replay passes over it.
    const { deadLetters } = await json<{ deadLetters: Record<string, unknown>[] }>(await adminGet("/admin/projections/balances/dead-letters"));
    expect(deadLetters).toEqual([expect.objectContaining({ messageId: last.ids[0], body: null, quarantined: { at: expect.any(String), reason: expect.any(String) } })]);
  });

  it("when even the compact row fails, still logs the body and retries rather than acks", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const body = bigBody(8);
    const { acked, retried, ids } = await deliver(DEAD_LETTER_QUEUE, [body], PARK_LAST_RESORT_ATTEMPT + 1, refusingEnv(() => true));
    expect(acked).toEqual([]);
    expect(retried).toEqual(ids);
    expect(errorLines(logged).filter((l) => l.messageId === ids[0]).map((l) => l.event)).toEqual(["dead_letter_body_not_stored", "dead-letters.quarantine-failed"]);
    expect(errorLines(logged)).toContainEqual(expect.objectContaining({ event: "dead_letter_body_not_stored", messageId: ids[0], body }));
    expect(await rows("SELECT * FROM dead_letters")).toEqual([]);
  });

  it("logs no more bodies than the invocation's log budget keeps; the others are retried, not lost", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const bodies = [bigBody(10), bigBody(11), bigBody(12)];
    expect(JSON.stringify(bodies.slice(0, 2)).length).toBeGreaterThan(MAX_LOGGED_BODY_BYTES_PER_INVOCATION);
    const withoutBodies = refusingEnv((call) => call.statements.some((s) => boundBody(s) !== ""));
    const { acked, retried } = await deliver(DEAD_LETTER_QUEUE, bodies, PARK_LAST_RESORT_ATTEMPT, withoutBodies);
    expect(acked).toHaveLength(1);
    expect(retried).toHaveLength(2);
    expect(errorLines(logged).filter((l) => l.event === "dead_letter_body_not_stored").map((l) => l.messageId)).toEqual(acked);
    expect(errorLines(logged).filter((l) => l.event === "dead-letters.log-budget-spent").map((l) => l.messageId).sort()).toEqual([...retried].sort());
    expect(await rows("SELECT message_id FROM dead_letters")).toEqual([{ message_id: acked[0] }]);
  });
});
