import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SWEEP_GRACE_MS } from "../../../../src/runtime/stream-catalog";
import { runCommand } from "../../../support/api-client";
import { CapturedEvents, runOutboxAlarms } from "../../../support/captured-events";
import { adminGet, json } from "../../../support/http";
import { LogLines } from "../../../support/log-lines";
import { rows } from "../../../support/read-model";
import type { FixtureEnv } from "../../fixture/env";
import { BALANCES, CREDITING, openAccount, SETTLEMENT, STATEMENT } from "../../fixture/support";
import { balancesFaults } from "../../fixture/domain/balances";
import { deliver, deliverInOrder } from "../../fixture/support/delivery";
import { fixtureEnv } from "../../fixture/support/worker";
import worker from "../../fixture/worker";

const STREAM_CATALOG = "stream-catalog";
const ACCOUNTS = ["account/sw-1", "account/sw-2"];
const PAYMENT = "payment/sw-p1";
// Each subscriber's producer binding and the queue it sends to (test/runtime/fixture/wrangler.toml).
const SUBSCRIBER_QUEUES = { BALANCES_QUEUE: BALANCES, STATEMENT_QUEUE: STATEMENT, CREDITING_QUEUE: CREDITING, SETTLEMENT_QUEUE: SETTLEMENT };
const PROCESS_MANAGER_QUEUES = [CREDITING, SETTLEMENT];

/** The Worker's env with each subscriber's real producer wrapped so its sends are kept instead of queued. */
function capturingSubscriberQueues(): { env: FixtureEnv; sent: { queue: string; body: unknown }[] } {
  const sent: { queue: string; body: unknown }[] = [];
  const wrapped: Record<string, unknown> = { ...fixtureEnv };
  for (const [binding, queue] of Object.entries(SUBSCRIBER_QUEUES)) {
    wrapped[binding] = {
      send: async (body: unknown) => void sent.push({ queue, body }),
      sendBatch: async (messages: { body: unknown }[]) => void sent.push(...messages.map((m) => ({ queue, body: m.body }))),
    };
  }
  return { env: wrapped as unknown as FixtureEnv, sent };
}

async function lags(): Promise<Record<string, unknown>> {
  const { projections } = await json<{ projections: { name: string; lag: unknown }[] }>(await adminGet("/admin/projections"));
  return Object.fromEntries(projections.map((p) => [p.name, p.lag]));
}

// Messages lost between the outbox and the projectors (a local queue dropped on restart, a message
// past its retention) leave views behind until the stream's next command, unless the sweep heals them.
describe("the stream sweep", () => {
  const logs = new LogLines();
  beforeEach(() => logs.install());
  afterEach(() => logs.restore());

  it("brings every view level with its stream after messages were dropped, with no new command", async () => {
    // The projections were deployed before these streams existed: a first cron run records them
    // as they are (with history already in the catalog, a projection without state backfills).
    const deployed = capturingSubscriberQueues();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/5 * * * *" }), deployed.env, createExecutionContext());
    expect(deployed.sent).toEqual([]);
    const captured = new CapturedEvents();
    await captured.install(...ACCOUNTS, PAYMENT);
    for (const stream of ACCOUNTS) await runCommand(`${stream}/open`, openAccount("c-sw"));
    await runCommand("account/sw-1/deposit", { amount: 600 });
    await runCommand(`${PAYMENT}/send`, { accountId: "sw-1", amount: 250 });
    // Only the catalog's messages arrive (later heads from the outbox's alarm); every subscriber's message is lost.
    await runOutboxAlarms(...ACCOUNTS, PAYMENT);
    await deliver(STREAM_CATALOG, captured.sentTo(STREAM_CATALOG));
    const sentByCommands = captured.batches.length;
    expect(await lags()).toEqual({
      balances: { events: 3, streams: 2, oldestMs: expect.any(Number) },
      statement: { events: 4, streams: 3, oldestMs: expect.any(Number) },
      crediting: { events: 1, streams: 1, oldestMs: expect.any(Number) },
      settlement: { events: 1, streams: 1, oldestMs: expect.any(Number) },
      transfers: { events: 0, streams: 0, oldestMs: 0 },
      "stepwise-transfers": { events: 0, streams: 0, oldestMs: 0 },
    });

    // A run inside the grace period leaves the streams alone: their messages may still be on the way.
    const early = capturingSubscriberQueues();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/5 * * * *" }), early.env, createExecutionContext());
    expect(early.sent).toEqual([]);
    expect(logs.of("stream-sweep.resent")).toEqual([]);

    const sweep = capturingSubscriberQueues();
    const later = Date.now() + SWEEP_GRACE_MS + 1_000;
    await worker.scheduled(createScheduledController({ scheduledTime: later, cron: "*/5 * * * *" }), sweep.env, createExecutionContext());
    // One head per stream behind, to the queue of each subscriber that is behind on it.
    expect(sweep.sent.map((s) => [s.queue, (s.body as { streamId: string; version: number }).streamId, (s.body as { version: number }).version]).sort()).toEqual(
      [
        [BALANCES, "account/sw-1", 2],
        [BALANCES, "account/sw-2", 1],
        [STATEMENT, "account/sw-1", 2],
        [STATEMENT, "account/sw-2", 1],
        [STATEMENT, PAYMENT, 1],
        [CREDITING, PAYMENT, 1],
        [SETTLEMENT, PAYMENT, 1],
      ].sort(),
    );
    // One warning line per subscriber it healed, with how many streams.
    expect(logs.of("stream-sweep.resent").map(({ level, subscriber, streams }) => ({ level, subscriber, streams })).sort((a, b) => a.subscriber.localeCompare(b.subscriber))).toEqual([
      { level: "warn", subscriber: "balances", streams: 2 },
      { level: "warn", subscriber: "crediting", streams: 1 },
      { level: "warn", subscriber: "settlement", streams: 1 },
      { level: "warn", subscriber: "statement", streams: 3 },
    ]);
    // The sweep healed from the aggregates: no command ran, so the outbox sent nothing more.
    expect(captured.batches.length).toBe(sentByCommands);

    // The projections' heads first, so the views are checked before crediting's own command lands.
    const projectionHeads = sweep.sent.filter((s) => !PROCESS_MANAGER_QUEUES.includes(s.queue));
    for (const { queue, body } of projectionHeads) await deliverInOrder(queue, [body as never]);
    expect(await rows("SELECT id, version, balance FROM fixture_balances ORDER BY id")).toEqual([
      { id: "sw-1", version: 2, balance: 600 },
      { id: "sw-2", version: 1, balance: 0 },
    ]);
    expect(await rows("SELECT stream_id, version FROM fixture_statement_lines ORDER BY stream_id, version")).toEqual([
      { stream_id: "account/sw-1", version: 2 },
      { stream_id: PAYMENT, version: 1 },
    ]);
    expect(captured.batches.length).toBe(sentByCommands);

    // The managers' heads heal them too: crediting deposits the payment, its own command; the
    // settlement (a payment without a deadline) only records it.
    for (const { queue, body } of sweep.sent.filter((s) => PROCESS_MANAGER_QUEUES.includes(s.queue))) await deliverInOrder(queue, [body as never]);
    expect(await lags()).toEqual({
      balances: { events: 0, streams: 0, oldestMs: 0 },
      statement: { events: 0, streams: 0, oldestMs: 0 },
      crediting: { events: 0, streams: 0, oldestMs: 0 },
      settlement: { events: 0, streams: 0, oldestMs: 0 },
      transfers: { events: 0, streams: 0, oldestMs: 0 },
      "stepwise-transfers": { events: 0, streams: 0, oldestMs: 0 },
    });
    // The only events sent since the commands are that deposit's, on the credited account.
    const sentSince = captured.batches.slice(sentByCommands).flatMap((b) => b.envelopes);
    expect(new Set(sentSince.map((e) => [e.streamId, e.version, e.type].join(" ")))).toEqual(new Set(["account/sw-1 3 Deposited"]));
  });

  it("names each subscriber whose sweep failed, sweeps the others, and fails the cron run", async () => {
    const stream = "account/sw-3";
    const captured = new CapturedEvents();
    await captured.install(stream);
    await runCommand(`${stream}/open`, openAccount("c-sw"));
    await runOutboxAlarms(stream);
    await deliver(STREAM_CATALOG, captured.sentTo(STREAM_CATALOG));

    const { env, sent } = capturingSubscriberQueues();
    const withoutBalancesQueue = { ...env, BALANCES_QUEUE: undefined } as unknown as FixtureEnv;
    const run = worker.scheduled(createScheduledController({ scheduledTime: Date.now() + SWEEP_GRACE_MS + 1_000, cron: "*/5 * * * *" }), withoutBalancesQueue, createExecutionContext());
    await expect(run).rejects.toThrow("the stream sweep failed for 1 subscriber(s)");
    expect(logs.of("stream-sweep.failed")).toEqual([
      expect.objectContaining({ level: "error", subscriber: "balances", error: expect.stringContaining("BALANCES_QUEUE") }),
    ]);
    // The statement, which follows accounts too, was swept all the same.
    expect(sent.map((s) => [s.queue, (s.body as { streamId: string }).streamId])).toEqual([[STATEMENT, stream]]);
    expect(logs.of("stream-sweep.resent")).toEqual([expect.objectContaining({ subscriber: "statement", streams: 1 })]);
  });

  it("heals a stream whose failing message was lost while retrying, and leaves one whose dead letter waits for replay", async () => {
    const lost = "account/sw-4";
    const parked = "account/sw-5";
    const captured = new CapturedEvents();
    await captured.install(lost, parked);
    await runCommand(`${lost}/open`, openAccount("c-sw"));
    await runCommand(`${parked}/open`, openAccount("c-sw"));
    await runOutboxAlarms(lost, parked);
    await deliver(STREAM_CATALOG, captured.sentTo(STREAM_CATALOG));
    const [lostHead, parkedHead] = [lost, parked].map((stream) => captured.sentTo(BALANCES).find((e) => e.streamId === stream)!);

    // Both fail on balances and their errors are recorded; both messages are asked to retry.
    try {
      for (const id of ["sw-4", "sw-5"]) {
        balancesFaults.throwOnAccount = id;
        const failed = await deliver(BALANCES, [id === "sw-4" ? lostHead : parkedHead]);
        expect(failed.retried).toHaveLength(1);
      }
    } finally {
      delete balancesFaults.throwOnAccount;
    }
    // sw-4's retry is lost (a restart dropped the local queue); sw-5's reached the dead-letter queue.
    await deliver(`${BALANCES}-dlq`, [parkedHead]);
    expect(await rows("SELECT stream_id FROM dead_letters WHERE projection = 'balances'")).toEqual([{ stream_id: parked }]);

    const sweep = capturingSubscriberQueues();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now() + SWEEP_GRACE_MS + 1_000, cron: "*/5 * * * *" }), sweep.env, createExecutionContext());
    // Earlier tests of this file leave streams of their own behind: only these two are looked at.
    const balancesSent = sweep.sent
      .filter((s) => s.queue === BALANCES)
      .map((s) => s.body as { streamId: string; version: number })
      .filter((b) => b.streamId === lost || b.streamId === parked);
    expect(balancesSent.map((b) => [b.streamId, b.version])).toEqual([[lost, 1]]);

    // One run healed it: the re-sent head is applied, exactly once.
    await deliverInOrder(BALANCES, balancesSent as never[]);
    expect(await rows("SELECT id, version FROM fixture_balances WHERE id IN ('sw-4', 'sw-5') ORDER BY id")).toEqual([{ id: "sw-4", version: 1 }]);
  });

  it("leaves a stream whose message is still retrying (a failure within the grace period) to its retries", async () => {
    const stream = "account/sw-6";
    const captured = new CapturedEvents();
    await captured.install(stream);
    await runCommand(`${stream}/open`, openAccount("c-sw"));
    await runOutboxAlarms(stream);
    await deliver(STREAM_CATALOG, captured.sentTo(STREAM_CATALOG));
    const head = captured.sentTo(BALANCES).find((e) => e.streamId === stream)!;
    // The stream's head is old, but its message failed a moment ago and is between retries.
    const failedAt = Date.now() + SWEEP_GRACE_MS;
    balancesFaults.throwOnAccount = "sw-6";
    try {
      expect((await deliver(BALANCES, [head])).retried).toHaveLength(1);
    } finally {
      delete balancesFaults.throwOnAccount;
    }
    await fixtureEnv.READ_DB.prepare("UPDATE projection_errors SET failed_at = ? WHERE projection = 'balances' AND stream_id = ?")
      .bind(new Date(failedAt).toISOString(), stream)
      .run();

    const sweep = capturingSubscriberQueues();
    await worker.scheduled(createScheduledController({ scheduledTime: failedAt + 1_000, cron: "*/5 * * * *" }), sweep.env, createExecutionContext());
    expect(sweep.sent.filter((s) => s.queue === BALANCES && (s.body as { streamId: string }).streamId === stream)).toEqual([]);
  });
});
