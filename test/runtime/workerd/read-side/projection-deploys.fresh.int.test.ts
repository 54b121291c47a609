import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { createRuntime, type Application, type Projection } from "edge-cqrs";
import { describe, expect, it } from "vitest";
import { runCommand } from "../../../support/api-client";
import { CapturedEvents, runOutboxAlarms } from "../../../support/captured-events";
import { API_TOKEN, json } from "../../../support/http";
import { rows } from "../../../support/read-model";
import { application, balances } from "../../fixture/application";
import { activity, activityQuery, ACTIVITY_QUEUE } from "../../fixture/domain/activity";
import type { FixtureEnv } from "../../fixture/env";
import { BALANCES, openAccount, STATEMENT } from "../../fixture/support";
import { deliver, deliverInOrder } from "../../fixture/support/delivery";
import { fixtureEnv } from "../../fixture/support/worker";
import { deliverBatch } from "../../../support/deliver-batch";
import { HandDrivenQueues, type DrivenWorker } from "../../fixture/support/rebuild";
import fixtureWorker from "../../fixture/worker";

const STREAM_CATALOG = "stream-catalog";
const ACCOUNTS = ["dep-1", "dep-2", "dep-3", "dep-4"];
const PAYMENT = "payment/dep-p1";

/** A deploy of the fixture application with a different set of projections. */
function deployWith(projections: NonNullable<Application<FixtureEnv>["projections"]>) {
  const runtime = createRuntime<FixtureEnv>({ ...application, projections, queries: [...(application.queries ?? []), activityQuery] });
  return runtime as unknown as DrivenWorker & { scheduled: (c: ScheduledController, env: FixtureEnv, ctx: ExecutionContext) => Promise<void> };
}

async function cron(worker: ReturnType<typeof deployWith>, env: FixtureEnv): Promise<void> {
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/5 * * * *" }), env, createExecutionContext());
}

async function fixtureCron(env: FixtureEnv): Promise<void> {
  await fixtureWorker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/5 * * * *" }), env, createExecutionContext());
}

async function query(worker: DrivenWorker, env: FixtureEnv, path: string): Promise<Response> {
  return worker.fetch(new Request(`https://edge-cqrs.test${path}`, { headers: { Authorization: `Bearer ${API_TOKEN}` } }), env, createExecutionContext());
}

describe("deploying projections", () => {
  const captured = new CapturedEvents();
  let lastToken = "";

  it("backfills a projection added over existing streams, answering 412 stale for a token until it has", async () => {
    // The running system: its projections were deployed (a first cron run) before any stream existed.
    const before = new HandDrivenQueues({ BALANCES_QUEUE: BALANCES, STATEMENT_QUEUE: STATEMENT, CREDITING_QUEUE: "fixture-crediting" });
    await fixtureCron(before.env);
    expect(before.pending).toBe(0);
    await captured.install(...ACCOUNTS.map((a) => `account/${a}`), PAYMENT);
    for (const id of ACCOUNTS) await runCommand(`account/${id}/open`, openAccount(`o-${id}`));
    await runCommand("account/dep-1/deposit", { amount: 40 });
    await runCommand("account/dep-1/withdraw", { amount: 15 });
    lastToken = (await runCommand("account/dep-2/deposit", { amount: 5 })).token;
    await runCommand(`${PAYMENT}/send`, { accountId: "dep-3", amount: 9 });
    // The running system: the catalog (later heads come from the objects' outbox alarms) and the
    // existing projections have seen everything.
    await runOutboxAlarms(...ACCOUNTS.map((a) => `account/${a}`), PAYMENT);
    await deliver(STREAM_CATALOG, captured.sentTo(STREAM_CATALOG));
    for (const queue of [BALANCES, STATEMENT]) await deliverInOrder(queue, captured.sentTo(queue));

    // The deploy adds `activity`; its producer is kept by hand so its jobs run when the test says.
    const deployed = deployWith([...(application.projections ?? []), activity]);
    const queues = new HandDrivenQueues({ [ACTIVITY_QUEUE.binding]: ACTIVITY_QUEUE.name }, deployed);
    // Before it caught up, a token asking for an account's version is answered 412, never with an incomplete view.
    const early = await query(deployed, queues.env, `/accounts/dep-2/activity?consistentWith=${lastToken}&wait=0`);
    expect(early.status).toBe(412);
    expect(early.headers.get("Retry-After")).toMatch(/^[1-9][0-9]*$/);
    expect(await json(early)).toMatchObject({ error: "stale", pending: [{ projection: "activity", streamId: "account/dep-2", version: 2 }] });

    // A live event reaches the new projection first (the deployed objects route to its queue):
    // the stream's whole history comes with it, but the projection is still new to the others.
    const [liveEvent] = captured.streamSentTo(BALANCES, "account/dep-4");
    const first = await deliverBatch(deployed, queues.env, ACTIVITY_QUEUE.name, [liveEvent]);
    expect(first.acked).toEqual(first.ids);
    expect(queues.pending).toBe(0);
    expect(await rows("SELECT stream_id, events FROM fixture_activity")).toEqual([{ stream_id: "account/dep-4", events: 1 }]);

    // The cron run finds a new projection over a filled catalog, and backfills it.
    await cron(deployed, queues.env);
    expect(queues.pending).toBe(1);
    await queues.drain();
    expect(await rows("SELECT * FROM fixture_activity ORDER BY stream_id")).toEqual([
      { stream_id: "account/dep-1", events: 3, last_version: 3, last_type: "Withdrawn" },
      { stream_id: "account/dep-2", events: 2, last_version: 2, last_type: "Deposited" },
      { stream_id: "account/dep-3", events: 1, last_version: 1, last_type: "AccountOpened" },
      { stream_id: "account/dep-4", events: 1, last_version: 1, last_type: "AccountOpened" },
      { stream_id: PAYMENT, events: 1, last_version: 1, last_type: "PaymentSent" },
    ]);
    expect(await rows("SELECT projection, version FROM projection_state WHERE projection = 'activity'")).toEqual([{ projection: "activity", version: 1 }]);
    const answered = await query(deployed, queues.env, `/accounts/dep-2/activity?consistentWith=${lastToken}&wait=0`);
    expect(answered.status).toBe(200);
    expect(await json(answered)).toEqual({ events: 2, lastVersion: 2, lastType: "Deposited" });

    // The projections that were already running were recorded as they are, not rebuilt.
    expect(await rows("SELECT projection, version, state FROM projection_state WHERE projection IN ('balances', 'statement') ORDER BY projection")).toEqual([
      { projection: "balances", version: 1, state: "idle" },
      { projection: "statement", version: 1, state: "idle" },
    ]);
  });

  it("rebuilds a projection whose version a deploy bumped, with the new handlers over the whole history", async () => {
    // Version 2 of balances records owners in capitals: history written by version 1 must be redone.
    const balancesV2: typeof balances = {
      ...balances,
      version: 2,
      statementsFor: (event, context) =>
        event.type === "AccountOpened"
          ? [
              context.db
                .prepare("INSERT INTO fixture_balances (id, owner, status, balance, version) VALUES (?, upper(?), 'open', 0, ?)")
                .bind(event.aggregateId, (event.data as { owner: string }).owner, event.version),
            ]
          : balances.statementsFor(event, context),
    };
    const deployed = deployWith([balancesV2, ...(application.projections ?? []).filter((p) => p.name !== "balances")]);
    const queues = new HandDrivenQueues({ BALANCES_QUEUE: BALANCES }, deployed);
    await cron(deployed, queues.env);
    expect(queues.pending).toBe(1);
    // A second cron run while it runs starts nothing more.
    await cron(deployed, queues.env);
    expect(queues.pending).toBe(1);
    await queues.drain();
    expect(await rows("SELECT id, owner, balance, version FROM fixture_balances WHERE id LIKE 'dep-%' ORDER BY id")).toEqual([
      { id: "dep-1", owner: "O-DEP-1", balance: 25, version: 3 },
      { id: "dep-2", owner: "O-DEP-2", balance: 5, version: 2 },
      { id: "dep-3", owner: "O-DEP-3", balance: 0, version: 1 },
      { id: "dep-4", owner: "O-DEP-4", balance: 0, version: 1 },
    ]);
    expect(await rows("SELECT version, state FROM projection_state WHERE projection = 'balances'")).toEqual([{ version: 2, state: "idle" }]);
    // Once built, the same version is not rebuilt again.
    await cron(deployed, queues.env);
    expect(queues.pending).toBe(0);
  });

  it("starts a bumped version's rebuild at the projection's first batch in a new isolate, before any cron run", async () => {
    const balancesV3: typeof balances = { ...balances, version: 3 };
    const deployed = deployWith([balancesV3, ...(application.projections ?? []).filter((p) => p.name !== "balances")]);
    // A new isolate: the same database behind a binding object this isolate has not used yet.
    const db = fixtureEnv.READ_DB;
    const freshBinding: D1Database = {
      prepare: (sql) => db.prepare(sql),
      batch: (statements) => db.batch(statements),
      exec: (sql) => db.exec(sql),
      withSession: (constraint) => db.withSession(constraint),
      dump: () => db.dump(),
    };
    const queues = new HandDrivenQueues({ BALANCES_QUEUE: BALANCES }, deployed, { ...fixtureEnv, READ_DB: freshBinding });
    const deposit = await runCommand("account/dep-4/deposit", { amount: 11 });
    await deliverBatch(deployed, queues.env, BALANCES, captured.streamSentTo(BALANCES, "account/dep-4").filter((e) => e.version === deposit.version));
    expect(queues.pending).toBe(1);
    await queues.drain();
    expect(await rows("SELECT version, state FROM projection_state WHERE projection = 'balances'")).toEqual([{ version: 3, state: "idle" }]);
    expect(await rows("SELECT balance, version FROM fixture_balances WHERE id = 'dep-4'")).toEqual([{ balance: 11, version: 2 }]);
  });
});
