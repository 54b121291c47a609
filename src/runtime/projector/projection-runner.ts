import type { AggregateClient } from "../aggregate-client/index.js";
import type { CommittedCheckpoints } from "../consistency/index.js";
import { writeLog, type BatchReport } from "../observability/index.js";
import type { Projection } from "../projection/index.js";
import type { RuntimeContext } from "../runtime-context/index.js";
import { CatchUpBudget, requeueTo, settleCaughtUp, type Requeue } from "./catch-up.js";
import { RideAlong } from "./ride-along.js";
import { advanceCheckpoints, batchLagStatement, catalogStreams, recordFailure, type CheckpointMove } from "./checkpoints.js";
import { rebuildOfBatch, type ProjectionQueueWork } from "./projection-queue-work.js";
import { ackAll, eventRuns, healGaps, planStreamWork, retryDelaySeconds, settleUnowned, type EventRun, type StreamWork } from "./stream-work.js";
import { SubscriberConsumer, type SubscriberBatch } from "./subscriber-consumer.js";

/**
 * A second destination for live events while a projection is rebuilt: the runner adds its
 * statements to each run's transaction, so a stream whose shadow is level with the live view
 * stays level and the rebuild can switch under steady traffic.
 */
export interface ShadowWrites {
  /** Statements applying the run to the shadow as well (none when the shadow is not level there). Never throws. */
  statementsFor(work: StreamWork, run: EventRun): D1PreparedStatement[];
  /** Called once the batch is applied: reports what went wrong on the shadow's side, if anything. */
  settle(): Promise<void>;
}

/**
 * D1 batches are one transaction each; ~11k upserts/s at 100 statements per batch against ~2.6k/s
 * at 10 (measured locally, docs/performance.md), so streams are packed together up to this many statements.
 */
export const MAX_STATEMENTS_PER_BATCH = 300;

/** One run of a stream's events, ready to apply in one D1 transaction. */
interface Transaction {
  readonly move: CheckpointMove;
  /** Set for a stream's first run: the stream goes into the catalog with it. */
  readonly firstSeen: { readonly streamId: string; readonly aggregate: string } | undefined;
  /** The view's statements for the run's events. */
  readonly live: readonly D1PreparedStatement[];
  /** A running rebuild's statements for the same events (none when no rebuild is level there). */
  readonly shadow: readonly D1PreparedStatement[];
}

/** One stream, ready to apply: its transactions, applied in order. */
interface ReadyStream {
  readonly work: StreamWork;
  readonly transactions: readonly Transaction[];
  readonly statements: number;
}

/** What a live batch knows of its projection's rebuild: the one running, if any. */
export interface RebuildCheck {
  readonly rebuildId: string | undefined;
  /** Set when "none runs" came from this runtime's memory: a statement that aborts the batch if one started since. */
  readonly guard: D1PreparedStatement | undefined;
}

/**
 * What a running rebuild asks of a live batch. `guard` is set when "no rebuild runs" came from
 * memory rather than a read: a statement that aborts the batch if a rebuild started since.
 */
export interface LiveRebuild {
  readonly writes: ShadowWrites | undefined;
  readonly guard: D1PreparedStatement | undefined;
}

/** Looks up whether a rebuild runs, for the streams of a batch; `trustMemory` false forces a read. */
export type LiveRebuildOf = (streamIds: readonly string[], trustMemory: boolean) => Promise<LiveRebuild | undefined>;

/** A batch of queue messages to apply to one projection, and what it takes. */
export interface ProjectionBatch {
  readonly projection: Projection;
  /** The batch's event messages (a rebuild's are not among them). */
  readonly messages: readonly Message<unknown>[];
  readonly db: D1Database;
  /** Where gaps are read from. */
  readonly aggregates: AggregateClient;
  /** Sends a long catch-up's next step to the projection's own queue; none without its producer binding. */
  readonly requeue: Requeue | undefined;
  readonly report: BatchReport;
  /** Whether a rebuild runs, whose shadow gets the live events too; none when the projection cannot be rebuilt. */
  readonly rebuildOf?: LiveRebuildOf | undefined;
  /** The checkpoints this runtime committed: planned from, and told of every commit. */
  readonly committed: CommittedCheckpoints;
}

/** What one invocation shares across its passes over a batch. */
interface Run extends Omit<ProjectionBatch, "messages"> {
  readonly budget: CatchUpBudget;
  readonly stats: RideAlong;
}

/**
 * Applies a batch of queue messages to one projection, exactly once per event: per stream, the
 * view statements and the checkpoint move in one D1 batch; duplicates (version ≤ checkpoint) are
 * skipped and gaps are read from the aggregate, a bounded number of events per invocation (a
 * longer catch-up continues through `requeue`). A failing stream is retried on its own and never
 * holds up the others.
 *
 * Checkpoints this runtime committed itself, and a projection it last saw with no rebuild running,
 * are taken from memory: a batch on streams this runtime keeps applying is one D1 round trip, its
 * write. The write's guards check what memory said; when they abort it, the streams are planned
 * again from D1.
 */
export async function runProjection({ messages, ...batch }: ProjectionBatch): Promise<void> {
  const stats = new RideAlong(batchLagStatement(batch.db, batch.projection.name, messages));
  const run: Run = { ...batch, budget: new CatchUpBudget(), stats };
  await applyMessages(run, messages, true);
  await stats.alone(batch.projection.name);
}

async function applyMessages(run: Run, messages: readonly Message<unknown>[], trustMemory: boolean): Promise<void> {
  const { projection, db, report } = run;
  const { work, malformed, foreign, fromMemory } = await planStreamWork({ db, subscriber: projection, messages, committed: trustMemory ? run.committed : undefined });
  report.planned(work);
  settleUnowned(projection.name, foreign, malformed);
  const pending = work.filter((w) => w.target > w.checkpoint);
  for (const w of work) if (w.target <= w.checkpoint) ackAll(w);

  const ready: ReadyStream[] = [];
  const deferred: StreamWork[] = [];
  const rebuild = pending.length > 0 ? await run.rebuildOf?.(pending.map((w) => w.streamId), trustMemory) : undefined;
  await Promise.all(
    pending.map(async (w) => {
      try {
        await healGaps(w, run.aggregates, run.budget);
        if (w.events.length === 0) deferred.push(w);
        else ready.push(prepare(projection, db, w, rebuild?.writes));
      } catch (error) {
        await fail(run, w, error);
      }
    }),
  );
  // Nothing to apply yet (the invocation's read budget went to other streams): try again later.
  for (const w of deferred) await settleCaughtUp(projection.name, w, run.requeue);

  const guard = rebuild?.guard;
  for (const group of packIntoBatches(ready)) {
    // Planned on what memory said: if the write's guards refuse it, memory was stale, not the events.
    const planAgain = guard !== undefined || group.some((r) => fromMemory.has(r.work.streamId)) ? () => replan(run, group) : undefined;
    if (group.length === 1) {
      await applyAlone(run, group[0]!, guard, planAgain);
      continue;
    }
    let applied = false;
    try {
      const transactions = group.flatMap((r) => r.transactions);
      await run.stats.carry(statementsOf({ db, projection: projection.name, transactions, withShadow: true, guard }), (statements) => db.batch(statements));
      announce(run, transactions);
      applied = true;
    } catch {
      if (planAgain) {
        await planAgain();
        continue;
      }
      // One poisoned stream must not fail its neighbours: apply each on its own to find it.
      for (const single of group) await applyAlone(run, single, undefined, undefined);
    }
    if (applied) for (const r of group) await settleCaughtUp(projection.name, r.work, run.requeue);
  }
  await rebuild?.writes?.settle();
}

/** Plans streams again from D1 alone, after a write planned from memory was refused. */
async function replan(run: Run, streams: readonly ReadyStream[]): Promise<void> {
  run.committed.forget(run.projection.database, run.projection.name, streams.map((r) => r.work.streamId));
  await applyMessages(run, streams.flatMap((r) => r.work.messages), false);
}

/**
 * Applies one stream's transactions in order; settles its messages only when all of them
 * committed. `planAgain` is set when the stream was planned from memory: a first transaction
 * refused then sends it back to be planned from D1.
 */
async function applyAlone(run: Run, ready: ReadyStream, guard: D1PreparedStatement | undefined, planAgain: (() => Promise<void>) | undefined): Promise<void> {
  const { projection, db } = run;
  let committed = 0;
  try {
    for (const transaction of ready.transactions) {
      await run.stats.carry(statementsOf({ db, projection: projection.name, transactions: [transaction], withShadow: true, guard }), (statements) => db.batch(statements));
      announce(run, [transaction]);
      committed++;
    }
  } catch (error) {
    if (committed === 0 && planAgain) {
      await planAgain();
      return;
    }
    if (!(await applyWithoutShadow(run, ready, committed))) {
      await fail(run, ready.work, error);
      return;
    }
  }
  await settleCaughtUp(projection.name, ready.work, run.requeue);
}

/**
 * A rebuild's shadow must never hold up the live view: when a stream's transactions fail with
 * the shadow's statements in them, the rest is applied without them. The shadow then lags on this
 * stream, and the rebuild's own job for it catches up (or fails the rebuild, if its handler does).
 */
async function applyWithoutShadow(run: Run, ready: ReadyStream, committed: number): Promise<boolean> {
  const { projection, db } = run;
  if (!ready.transactions.some((t) => t.shadow.length > 0)) return false;
  try {
    for (const transaction of ready.transactions.slice(committed)) {
      await db.batch(statementsOf({ db, projection: projection.name, transactions: [transaction], withShadow: false }));
      announce(run, [transaction]);
    }
  } catch {
    return false;
  }
  writeLog("warn", {
    event: "rebuild.shadow-skipped",
    msg: `${projection.name}: ${ready.work.streamId} was applied without the running rebuild's shadow, which its job will catch up`,
    projection: projection.name,
    streamId: ready.work.streamId,
  });
  return true;
}

/** Tells this runtime's consistency waits that these checkpoints are committed: call only after the D1 batch succeeded. */
function announce({ committed, projection }: Run, transactions: readonly Transaction[]): void {
  committed.remember(projection.database, projection.name, transactions.map((t) => ({ streamId: t.move.streamId, version: t.move.next })));
}

/** Transactions of a projection to write in one D1 batch. */
interface BatchStatements {
  readonly db: D1Database;
  readonly projection: string;
  readonly transactions: readonly Transaction[];
  /** Whether a running rebuild's statements go in too. */
  readonly withShadow: boolean;
  /** Aborts the batch should a rebuild have started since "none runs" was remembered. */
  readonly guard?: D1PreparedStatement | undefined;
}

/**
 * One D1 batch for transactions of different streams (at most one each): the guard and the
 * checkpoints first, all in a few statements, so that a lost race aborts the batch before any
 * view statement runs; then the catalog's new streams, then each run's view statements in order.
 */
function statementsOf({ db, projection, transactions, withShadow, guard }: BatchStatements): D1PreparedStatement[] {
  const firstSeen = transactions.flatMap((t) => (t.firstSeen ? [t.firstSeen] : []));
  return [
    ...(guard ? [guard] : []),
    ...advanceCheckpoints(db, projection, transactions.map((t) => t.move)),
    ...(firstSeen.length > 0 ? [catalogStreams(db, firstSeen, new Date().toISOString())] : []),
    ...transactions.flatMap((t) => (withShadow ? [...t.live, ...t.shadow] : t.live)),
  ];
}

function prepare(projection: Projection, db: D1Database, work: StreamWork, shadow: ShadowWrites | undefined): ReadyStream {
  const transactions = eventRuns(work).map((run): Transaction => ({
    move: { streamId: work.streamId, expected: run.from, next: run.to },
    firstSeen: run.from === 0 ? { streamId: work.streamId, aggregate: work.aggregate } : undefined,
    live: run.events.flatMap((event) => projection.statementsFor(event, { db })),
    shadow: shadow?.statementsFor(work, run) ?? [],
  }));
  // Counted as the batch will hold them: the checkpoint and catalog statements are shared.
  return { work, transactions, statements: transactions.reduce((n, t) => n + t.live.length + t.shadow.length, 0) };
}

/** Groups streams into shared D1 batches; a stream needing several transactions stays alone. */
function packIntoBatches(items: readonly ReadyStream[]): ReadyStream[][] {
  const groups: ReadyStream[][] = [];
  let current: ReadyStream[] = [];
  let size = 0;
  for (const item of items) {
    if (item.transactions.length > 1) {
      groups.push([item]);
      continue;
    }
    if (current.length > 0 && size + item.statements > MAX_STATEMENTS_PER_BATCH) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += item.statements;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

async function fail({ projection, db, report }: Run, work: StreamWork, error: unknown): Promise<void> {
  report.failed({ streamId: work.streamId, fromVersion: work.checkpoint + 1, toVersion: work.target, error, events: work.events });
  await recordFailure({ db, subscriber: projection.name, streamId: work.streamId, version: work.checkpoint + 1, error });
  for (const message of work.messages) message.retry({ delaySeconds: retryDelaySeconds(message) });
}

/** What a projection's consumer is made of. */
export interface ProjectionConsumerOptions {
  readonly projection: Projection;
  readonly context: RuntimeContext;
  /** Reaches the aggregates' Durable Objects, to heal gaps. */
  clientOf(env: object): AggregateClient;
  /** A rebuild's share of the queue; none when the runtime rebuilds nothing. */
  readonly work?: ProjectionQueueWork | undefined;
}

/** Consumes a projection's queue: its events through {@link runProjection}, its rebuild's messages through the rebuild's work. */
export class ProjectionConsumer extends SubscriberConsumer<Projection> {
  private readonly clientOf: (env: object) => AggregateClient;
  private readonly work: ProjectionQueueWork | undefined;

  constructor({ projection, context, clientOf, work }: ProjectionConsumerOptions) {
    super(projection, context);
    this.clientOf = clientOf;
    this.work = work;
  }

  protected async apply({ batch, db, env, report }: SubscriberBatch): Promise<void> {
    const { subscriber: projection, work } = this;
    // A rebuild's messages share the projection's queue; everything else in the batch is an event.
    const events = work ? batch.messages.filter((m) => !work.owns(m.body)) : batch.messages;
    await work?.beforeBatch(projection, db, env);
    const rebuildOf = work && rebuildOfBatch(work, projection, db);
    const { committed } = this.context;
    await runProjection({ projection, messages: events, db, aggregates: this.clientOf(env), requeue: requeueTo(env, projection), report, rebuildOf, committed });
    await work?.afterBatch(projection, db, report.startedStreams());
    if (work && events.length < batch.messages.length) {
      await work.run({ projection, messages: batch.messages.filter((m) => work.owns(m.body)), db, aggregates: this.clientOf(env), env });
    }
  }
}
