import { beforeAll, describe, expect, it } from "vitest";
import { MAX_REPLAY_SENDS_PER_REQUEST } from "../../../../src/runtime/admin";
import type { EventEnvelope } from "../../../../src/runtime/envelope";
import { byteLength, MAX_BATCH_MESSAGES } from "../../../../src/runtime/outbox";
import { BALANCES, openAccount } from "../../fixture/support";
import { deliver } from "../../fixture/support/delivery";
import { fixtureEnv } from "../../fixture/support/worker";
import { getQuery, runCommand } from "../../../support/api-client";
import { CapturedEvents } from "../../../support/captured-events";
import { adminGet, call, ADMIN_TOKEN, json } from "../../../support/http";
import { rows } from "../../../support/read-model";

// Replaying dead letters sends them back through the real local queue to the projector. It must
// fit the queue's limits (100 messages and 256 KB per sendBatch), never be blocked by a row it
// cannot send, and do a bounded amount of work per request, saying how much is left.
const DEAD_LETTER_QUEUE = "fixture-balances-dlq";
const ACCOUNTS = 30;
const HEAVY_AMOUNT = 100;

type Outcome = { replayed: number; quarantined: number; remaining: number };
const replay = async (): Promise<{ status: number; body: Outcome }> => {
  const response = await call("/admin/projections/balances/dead-letters/replay", { method: "POST", headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  return { status: response.status, body: await json<Outcome>(response) };
};

/** A memo of 7,500 3-byte characters: its Deposited envelope is ~23 KB, though only ~8,000 characters. */
const heavyMemo = "€".repeat(7_500);

/** Waits (through the query's own consistency wait) until the account's view reflects its token. */
async function viewOf(id: string, token: string): Promise<Response> {
  return getQuery(`/accounts/${id}?consistentWith=${token}&wait=10000`);
}

/** Waits until the projector has consumed `count` more messages than `before` (real queue, in the background). */
async function consumed(before: number, count: number): Promise<void> {
  for (;;) {
    const [stats] = await rows<{ messages: number }>("SELECT messages FROM projection_stats WHERE projection = 'balances'");
    if ((stats?.messages ?? 0) >= before + count) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Opens the account, applies its opening to balances, and deposits; returns the deposit's envelope (never delivered) and token. */
async function openAndDeposit(captured: CapturedEvents, id: string, deposit: { amount: number; memo?: string }): Promise<{ deposited: EventEnvelope; token: string }> {
  await runCommand(`account/${id}/open`, openAccount("c-replay"));
  const token = (await runCommand(`account/${id}/deposit`, deposit)).token;
  const [opened, deposited] = captured.streamSentTo(BALANCES, `account/${id}`) as [EventEnvelope, EventEnvelope];
  const { acked } = await deliver(BALANCES, [opened]);
  expect(acked).toHaveLength(1);
  return { deposited, token };
}

describe("dead-letter replay", () => {
  const captured = new CapturedEvents();
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    const ids = Array.from({ length: ACCOUNTS }, (_, i) => `heavy-${i}`);
    await captured.install(...ids.map((id) => `account/${id}`), "account/late", "account/small");
    const envelopes: EventEnvelope[] = [];
    for (const id of ids) {
      const { deposited, token } = await openAndDeposit(captured, id, { amount: HEAVY_AMOUNT, memo: heavyMemo });
      tokens.set(id, token);
      envelopes.push(deposited);
    }
    // The outbox's sends were captured: the projector never saw these deposits; they go straight to the DLQ.
    expect(byteLength(JSON.stringify(envelopes[0]))).toBeGreaterThan(20_000);
    const { acked } = await deliver(DEAD_LETTER_QUEUE, envelopes);
    expect(acked).toHaveLength(ACCOUNTS);
  });

  it("replays 30 parked 20 KB events in batches the queue accepts, and deletes them", async () => {
    expect(await replay()).toEqual({ status: 202, body: { replayed: ACCOUNTS, quarantined: 0, remaining: 0 } });
    expect(await rows("SELECT message_id FROM dead_letters")).toEqual([]);
    for (const [id, token] of tokens) {
      const view = await viewOf(id, token);
      expect(view.status).toBe(200);
      expect(await view.json()).toMatchObject({ balance: HEAVY_AMOUNT, version: 2 });
    }
  });

  it("quarantines rows it cannot send, so they never block the rows behind them", async () => {
    const { deposited, token } = await openAndDeposit(captured, "late", { amount: 200 });
    await deliver(DEAD_LETTER_QUEUE, [deposited]);
    // Older than anything parked: the head of the line, where replay always starts.
    await fixtureEnv.READ_DB.batch([
      fixtureEnv.READ_DB.prepare("INSERT INTO dead_letters (message_id, projection, body, parked_at) VALUES ('bad-1', 'balances', 'not json {', '2000-01-01T00:00:00.000Z')"),
      fixtureEnv.READ_DB.prepare(`INSERT INTO dead_letters (message_id, projection, body, parked_at) VALUES ('bad-2', 'balances', '{"hello":"world"}', '2000-01-01T00:00:00.001Z')`),
    ]);

    expect(await replay()).toEqual({ status: 202, body: { replayed: 1, quarantined: 2, remaining: 0 } });
    const late = await viewOf("late", token);
    expect(late.status).toBe(200);
    expect(await late.json()).toMatchObject({ balance: 200, version: 2 });

    const listing = await adminGet("/admin/projections/balances/dead-letters");
    expect(listing.status).toBe(200);
    const { deadLetters } = await json<{ deadLetters: Record<string, unknown>[] }>(listing);
    expect(deadLetters).toEqual([
      expect.objectContaining({ messageId: "bad-1", body: "not json {", quarantined: { at: expect.any(String), reason: expect.stringMatching(/not JSON/) } }),
      expect.objectContaining({ messageId: "bad-2", body: { hello: "world" }, quarantined: { at: expect.any(String), reason: expect.stringMatching(/not an event envelope/) } }),
    ]);
    // Quarantined rows stay for the operator and are not tried again.
    expect(await replay()).toEqual({ status: 202, body: { replayed: 0, quarantined: 0, remaining: 0 } });
    await fixtureEnv.READ_DB.prepare("DELETE FROM dead_letters").run();
  });

  it("does a bounded amount of work per request and says how much is left", async () => {
    const { deposited } = await openAndDeposit(captured, "small", { amount: 100 });
    const { acked } = await deliver(BALANCES, [deposited]);
    expect(acked).toHaveLength(1);
    // More parked copies of an applied event than one request may send: replaying them is harmless.
    const perRequest = MAX_REPLAY_SENDS_PER_REQUEST * MAX_BATCH_MESSAGES;
    const parked = perRequest + 150;
    await fixtureEnv.READ_DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
       INSERT INTO dead_letters (message_id, projection, stream_id, version, body, parked_at)
       SELECT 'copy-' || printf('%05d', i), 'balances', 'account/small', 2, ?2, '2001-01-01T00:00:00.000Z' FROM n`,
    )
      .bind(parked, JSON.stringify(deposited))
      .run();
    const [before] = await rows<{ messages: number }>("SELECT messages FROM projection_stats WHERE projection = 'balances'");

    expect(await replay()).toEqual({ status: 202, body: { replayed: perRequest, quarantined: 0, remaining: parked - perRequest } });
    expect(await replay()).toEqual({ status: 202, body: { replayed: parked - perRequest, quarantined: 0, remaining: 0 } });

    // Every copy reached the projector, which applied none of them twice.
    await consumed(before?.messages ?? 0, parked);
    const [view] = await rows<{ balance: number; version: number }>("SELECT balance, version FROM fixture_balances WHERE id = 'small'");
    expect(view).toEqual({ balance: 100, version: 2 });
  });
});
