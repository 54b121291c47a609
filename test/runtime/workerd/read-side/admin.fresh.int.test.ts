import { fixtureEnv as env } from "../../fixture/support/worker";
import { beforeAll, describe, expect, it } from "vitest";
import type { EventEnvelope } from "../../../../src/runtime/envelope";
import { getQuery, runCommand } from "../../../support/api-client";
import { CapturedEvents } from "../../../support/captured-events";
import { adminGet, call, ADMIN_TOKEN, API_TOKEN, json } from "../../../support/http";
import { rows } from "../../../support/read-model";
import { BALANCES } from "../../fixture/support";
import { deliver } from "../../fixture/support/delivery";

// The admin API over the read side: see what each subscriber has applied and what it parked, and
// send parked messages back through the normal, exactly-once path once the cause is fixed.
const DEAD_LETTER_QUEUE = "fixture-balances-dlq";
const replay = (name: string, token = ADMIN_TOKEN) =>
  call(`/admin/projections/${name}/dead-letters/replay`, { method: "POST", headers: { Authorization: `Bearer ${token}` } });

describe("admin API for projections", () => {
  const captured = new CapturedEvents();
  let placed: EventEnvelope;
  let token: string;

  beforeAll(async () => {
    await captured.install("account/adm-1");
    token = (await runCommand("account/adm-1/open", { owner: "c-adm" })).token;
    [placed] = captured.streamSentTo(BALANCES, "account/adm-1") as [EventEnvelope];
    // A stray row the AccountOpened insert collides with: the projection fails on this stream.
    await env.READ_DB.prepare("INSERT INTO fixture_balances (id, owner, status, balance, version) VALUES ('adm-1', 'stray', 'open', 9, 0)").run();
    await deliver(BALANCES, [placed]);
    await deliver(DEAD_LETTER_QUEUE, [placed]);
  });

  it("lists every projection and process manager with its queue, checkpoints and trouble", async () => {
    const response = await adminGet("/admin/projections");
    expect(response.status).toBe(200);
    const { projections } = await json<{ projections: Record<string, unknown>[] }>(response);
    expect(projections.map((p) => [p.name, p.kind, p.queue, p.deadLetterQueue])).toEqual([
      ["balances", "projection", "fixture-balances", "fixture-balances-dlq"],
      ["statement", "projection", "fixture-statement", "fixture-statement-dlq"],
      ["crediting", "process-manager", "fixture-crediting", "fixture-crediting-dlq"],
      ["settlement", "process-manager", "fixture-settlement", "fixture-settlement-dlq"],
      ["transfers", "process-manager", "fixture-transfers", "fixture-transfers-dlq"],
      ["stepwise-transfers", "process-manager", "fixture-stepwise-transfers", "fixture-stepwise-transfers-dlq"],
    ]);
    const details = projections.find((p) => p.name === "balances")!;
    expect(details).toMatchObject({ streams: 0, deadLetters: 1 });
    // The last batch is measured per consumed batch: one message so far; the process manager consumed nothing.
    expect(details.lastBatch).toEqual({ lastBatchAt: expect.any(String), lastLagMs: expect.any(Number), messages: 1 });
    expect(projections.find((p) => p.name === "crediting")!.lastBatch).toBeNull();
    expect(details.lag).toEqual({ events: expect.any(Number), streams: expect.any(Number), oldestMs: expect.any(Number) });
    expect(details.failingStreams).toEqual([{ streamId: "account/adm-1", version: 1, error: expect.stringMatching(/UNIQUE/), failedAt: expect.any(String) }]);
  });

  it("lists parked messages with their envelope and the error that parked them", async () => {
    const response = await adminGet("/admin/projections/balances/dead-letters");
    expect(response.status).toBe(200);
    const { deadLetters } = await json<{ deadLetters: Record<string, unknown>[] }>(response);
    expect(deadLetters).toEqual([
      { messageId: expect.any(String), streamId: "account/adm-1", version: 1, error: expect.stringMatching(/UNIQUE/), parkedAt: expect.any(String), body: placed, quarantined: null },
    ]);
  });

  it("replays parked messages through the queue once the cause is fixed, exactly once", async () => {
    await env.READ_DB.prepare("DELETE FROM fixture_balances WHERE id = 'adm-1'").run();
    const response = await replay("balances");
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ replayed: 1, quarantined: 0, remaining: 0 });
    expect(await rows("SELECT * FROM dead_letters")).toEqual([]);
    // The replayed envelope travels the real local queue to the projector.
    const view = await getQuery(`/accounts/adm-1?consistentWith=${token}&wait=5000`);
    expect(view.status).toBe(200);
    expect(await view.json()).toEqual({ id: "adm-1", owner: "c-adm", status: "open", balance: 0, version: 1 });
    const status = await json<{ projections: Record<string, unknown>[] }>(await adminGet("/admin/projections"));
    expect(status.projections.find((p) => p.name === "balances")).toMatchObject({ streams: 1, deadLetters: 0, failingStreams: [] });
  });

  it("answers 202 with nothing to replay when nothing is parked", async () => {
    expect(await (await replay("statement")).json()).toEqual({ replayed: 0, quarantined: 0, remaining: 0 });
  });

  it("refuses the API token and unknown names", async () => {
    expect((await call("/admin/projections", { headers: { Authorization: `Bearer ${API_TOKEN}` } })).status).toBe(401);
    expect((await replay("balances", API_TOKEN)).status).toBe(401);
    const unknown = await adminGet("/admin/projections/nope/dead-letters");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: "not_found" });
    expect((await adminGet("/admin/projections/balances/dead-letters?limit=101")).status).toBe(400);
  });
});
