import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REBUILD_STALL_MS } from "../../../../src/runtime/rebuild";
import { getQuery, runCommand } from "../../../support/api-client";
import { CapturedEvents } from "../../../support/captured-events";
import { json } from "../../../support/http";
import { LogLines } from "../../../support/log-lines";
import { rows } from "../../../support/read-model";
import { balancesFaults } from "../../fixture/domain/balances";
import { BALANCES, CREDITING, openAccount, STATEMENT } from "../../fixture/support";
import worker from "../../fixture/worker";
import { deliver } from "../../fixture/support/delivery";
import { dumpReadModel, resetReadModel } from "../../fixture/support/read-model";
import { HandDrivenQueues, rebuildStates } from "../../fixture/support/rebuild";
import { fixtureEnv } from "../../fixture/support/worker";

const STREAM_CATALOG = "stream-catalog";
const LIVE_QUEUES = [BALANCES, STATEMENT, STREAM_CATALOG];
const ACCOUNTS = Array.from({ length: 10 }, (_, i) => `rb-${i}`);
const PAYMENTS = ["rbp-1", "rbp-2", "rbp-3"];
const STREAMS = [...ACCOUNTS.map((a) => `account/${a}`), ...PAYMENTS.map((p) => `payment/${p}`)];

/** The outbox's sends, delivered to the live projections and the catalog by hand, in send order. */
class LiveTraffic {
  readonly captured = new CapturedEvents();
  private delivered = new Map<string, number>();

  async deliverNew(): Promise<void> {
    for (const queue of LIVE_QUEUES) {
      const all = this.captured.sentTo(queue);
      const fresh = all.slice(this.delivered.get(queue) ?? 0);
      this.delivered.set(queue, all.length);
      for (const envelope of fresh) {
        // The catalog's consumer acknowledges a batch by returning; the projectors ack each message.
        const { acked, ids, retried } = await deliver(queue, [envelope]);
        expect(retried).toEqual([]);
        if (queue !== STREAM_CATALOG) expect(acked).toEqual(ids);
      }
    }
  }

  /** Every event as the projections got it, for an incremental rebuild of the same view. */
  async replayIncrementally(): Promise<void> {
    for (const queue of [BALANCES, STATEMENT]) for (const envelope of this.captured.sentTo(queue)) await deliver(queue, [envelope]);
  }
}

const isRebuildMessage = (body: unknown) => typeof (body as { rebuild?: unknown }).rebuild === "string";
const isStreamJob = (body: unknown) => (body as { rebuild?: string }).rebuild === "stream";

const balanceOf = async (id: string, token?: string) => {
  const response = await getQuery(`/accounts/${id}${token ? `?consistentWith=${token}&wait=0` : ""}`);
  return { status: response.status, body: await json<{ version: number; balance: number }>(response) };
};

describe("rebuilding a projection", () => {
  const live = new LiveTraffic();
  const tokens = new Map<string, string>();
  const queues = new HandDrivenQueues({ BALANCES_QUEUE: BALANCES, STATEMENT_QUEUE: STATEMENT });
  const logs = new LogLines();
  beforeEach(() => logs.install());
  afterEach(() => logs.restore());

  it("rebuilds both views while commands keep arriving, serves the old view until the switch, and ends equal to the incremental build", async () => {
    await live.captured.install(...STREAMS);
    for (const [i, id] of ACCOUNTS.entries()) {
      await runCommand(`account/${id}/open`, openAccount(`owner-${i}`));
      tokens.set(id, (await runCommand(`account/${id}/deposit`, { amount: 100 + i })).token);
    }
    for (const [i, id] of PAYMENTS.entries()) await runCommand(`payment/${id}/send`, { accountId: ACCOUNTS[i]!, amount: 7 });
    await live.deliverNew();
    const before = new Map<string, number>();
    for (const id of ACCOUNTS) before.set(id, (await balanceOf(id)).body.version);

    const started = await Promise.all([queues.rebuild("balances"), queues.rebuild("statement")]);
    expect(started.map((r) => r.status)).toEqual([202, 202]);
    const [balancesRebuild] = await Promise.all(started.map((r) => json<{ rebuildId: string }>(r)));
    // A second rebuild while one runs is refused.
    const second = await queues.rebuild("balances");
    expect(second.status).toBe(409);
    expect(await json(second)).toMatchObject({ error: "rebuild_running", rebuildId: balancesRebuild!.rebuildId });
    // Progress in streams, from the catalog's streams of each projection's aggregates.
    const running = await rebuildStates();
    expect(running.balances!.rebuild).toEqual({ state: "rebuilding", rebuildId: balancesRebuild!.rebuildId, done: 0, total: 10, startedAt: expect.any(String) });
    expect(running.statement!.rebuild).toMatchObject({ state: "rebuilding", done: 0, total: 13 });
    expect(running.crediting).toEqual({ version: null, rebuild: { state: "idle" } });

    // Between a rebuild's stream jobs and its next step, every stream gets a command and the live
    // views apply it: the rebuild must converge under traffic that never pauses.
    let steps = 0;
    for (; queues.pending > 0 && steps < 20; steps++) {
      await queues.deliverPending(isStreamJob);
      for (const id of ACCOUNTS) tokens.set(id, (await runCommand(`account/${id}/deposit`, { amount: 1 + steps })).token);
      await runCommand(`payment/${PAYMENTS[steps % PAYMENTS.length]}/top-up`, { amount: 2 });
      await live.deliverNew();
      await queues.deliverPending();
      const progress = (await rebuildStates()).balances!.rebuild;
      if (progress.state === "rebuilding") expect(progress.done).toBeLessThanOrEqual(progress.total);
      // Every query answers from a complete view no older than before the rebuild, and every token
      // the live view had met is still met, across the switch too: no checkpoint moved back.
      for (const account of ACCOUNTS) {
        const { status, body } = await balanceOf(account, tokens.get(account));
        expect(status).toBe(200);
        expect(body.version).toBeGreaterThanOrEqual(before.get(account)!);
      }
    }
    const states = await rebuildStates();
    expect(states.balances).toEqual({ version: 1, rebuild: { state: "idle" } });
    expect(states.statement).toEqual({ version: 1, rebuild: { state: "idle" } });
    // Its start and its switch are one line each, by projection and rebuild id.
    const balancesLines = (event: string) => logs.of(event, (l) => l.projection === "balances");
    expect(balancesLines("rebuild.started")).toEqual([
      expect.objectContaining({ level: "info", rebuildId: balancesRebuild!.rebuildId, cause: "requested", version: 1 }),
    ]);
    expect(balancesLines("rebuild.switched-in")).toEqual([expect.objectContaining({ level: "info", rebuildId: balancesRebuild!.rebuildId, version: 1 })]);
    expect(logs.of("rebuild.switched-in", (l) => l.projection === "statement")).toHaveLength(1);

    // The shadows became the view: no shadow left, the index back under its own name.
    expect(await rows("SELECT name, tbl_name FROM sqlite_master WHERE name LIKE 'fixture_balances%' OR name LIKE 'fixture_statement%' ORDER BY name")).toEqual([
      { name: "fixture_balances", tbl_name: "fixture_balances" },
      { name: "fixture_statement_by_account", tbl_name: "fixture_statement_lines" },
      { name: "fixture_statement_lines", tbl_name: "fixture_statement_lines" },
    ]);

    const rebuilt = await dumpReadModel();
    await resetReadModel();
    await live.replayIncrementally();
    expect(rebuilt).toEqual(await dumpReadModel());
  });

  it("fails cleanly when a handler throws on one stream, and the live view keeps serving", async () => {
    const servedBefore = await balanceOf(ACCOUNTS[3]!);
    expect(servedBefore.status).toBe(200);
    const liveBefore = await dumpReadModel();
    balancesFaults.throwOnAccount = ACCOUNTS[3];
    try {
      const response = await queues.rebuild("balances");
      expect(response.status).toBe(202);
      const { rebuildId } = await json<{ rebuildId: string }>(response);
      for (let steps = 0; queues.pending > 0 && steps < 10; steps++) await queues.deliverPending();
      expect((await rebuildStates()).balances!.rebuild).toEqual({
        state: "failed",
        rebuildId,
        reason: expect.stringContaining(`injected fault on account ${ACCOUNTS[3]}`),
        failedAt: expect.any(String),
      });
      expect(logs.of("rebuild.failed", (l) => l.rebuildId === rebuildId)).toEqual([
        expect.objectContaining({ level: "error", projection: "balances", reason: expect.stringContaining(`injected fault on account ${ACCOUNTS[3]}`) }),
      ]);
    } finally {
      delete balancesFaults.throwOnAccount;
    }
    // Shadows dropped, the live view untouched and serving.
    expect(await rows("SELECT name FROM sqlite_master WHERE name LIKE '%__rebuild'")).toEqual([]);
    expect(await dumpReadModel()).toEqual(liveBefore);
    expect(await balanceOf(ACCOUNTS[3]!)).toEqual(servedBefore);

    // A failed rebuild can be started again.
    const again = await queues.rebuild("balances");
    expect(again.status).toBe(202);
    for (let steps = 0; queues.pending > 0 && steps < 10; steps++) await queues.deliverPending();
    expect((await rebuildStates()).balances!.rebuild).toEqual({ state: "idle" });
    expect(await dumpReadModel()).toEqual(liveBefore);
  });

  it("never holds up a live batch on the shadow's account: the live view moves on and the rebuild fails cleanly", async () => {
    const response = await queues.rebuild("balances");
    expect(response.status).toBe(202);
    await queues.deliverPending(); // the first step queues the jobs, each to its stream's head in the catalog
    await queues.deliverPending(isStreamJob);
    // The live view is ahead of those heads: the next step queues jobs to the streams' own heads,
    // which bring every shadow level with the live view, so live batches now write the shadow too.
    await queues.deliverPending();
    await queues.deliverPending(isStreamJob);
    // Something breaks on the shadow's side only (here: its table disappears).
    await fixtureEnv.READ_DB.prepare("DROP TABLE fixture_balances__rebuild").run();
    const id = ACCOUNTS[5]!;
    const { token } = await runCommand(`account/${id}/deposit`, { amount: 1000 });
    await live.deliverNew();
    expect((await balanceOf(id, token)).status).toBe(200);
    expect(logs.of("rebuild.shadow-skipped")).toEqual([expect.objectContaining({ level: "warn", projection: "balances", streamId: `account/${id}` })]);

    for (let steps = 0; queues.pending > 0 && steps < 10; steps++) await queues.deliverPending();
    expect((await rebuildStates()).balances!.rebuild).toMatchObject({ state: "failed", reason: expect.stringContaining("no such table") });
    expect((await balanceOf(id, token)).status).toBe(200);
  });

  it("is resumed by the cron trigger when its step message was lost", async () => {
    const all = new HandDrivenQueues({ BALANCES_QUEUE: BALANCES, STATEMENT_QUEUE: STATEMENT, CREDITING_QUEUE: CREDITING });
    const cron = (at: number) => worker.scheduled(createScheduledController({ scheduledTime: at, cron: "*/5 * * * *" }), all.env, createExecutionContext());
    expect((await all.rebuild("statement")).status).toBe(202);
    all.discardPending();
    const steps = () => all.pendingBodies().filter((b) => (b as { rebuild?: string }).rebuild === "step");

    await cron(Date.now());
    expect(steps()).toEqual([]); // a rebuild that stepped a moment ago is not stalled
    await cron(Date.now() + REBUILD_STALL_MS + 1_000);
    expect(steps()).toEqual([{ rebuild: "step", rebuildId: expect.any(String) }]);
    expect(logs.of("rebuild.resumed")).toEqual([
      expect.objectContaining({ level: "warn", projection: "statement", rebuildId: (steps()[0] as { rebuildId: string }).rebuildId, touchedAt: expect.any(String) }),
    ]);
    for (let round = 0; steps().length > 0 && round < 10; round++) await all.deliverPending(isRebuildMessage);
    expect((await rebuildStates()).statement!.rebuild).toEqual({ state: "idle" });
  });

  it("answers 404 for a name that is not a projection", async () => {
    expect((await queues.rebuild("nothing")).status).toBe(404);
    expect((await queues.rebuild("crediting")).status).toBe(404);
    for (const name of ["__proto__", "constructor", "hasOwnProperty"]) expect(await json(await queues.rebuild(name))).toMatchObject({ error: "not_found" });
    expect(queues.pending).toBe(0);
  });
});
