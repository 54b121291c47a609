import type { AggregateClient } from "../aggregate-client/index.js";
import type { CommittedCheckpoints } from "../consistency/index.js";
import { runtimeActor } from "../auth/index.js";
import type { EventEnvelope } from "../envelope/index.js";
import { RUNTIME_COMMAND_ID_PREFIX } from "../ids/index.js";
import { continueTrace, traceIdOf, writeLog, type BatchReport } from "../observability/index.js";
import type { ProcessManager, StatelessProcessManager } from "../process-manager/index.js";
import type { ProcessManagerClient } from "../process-manager-object/index.js";
import type { RuntimeContext } from "../runtime-context/index.js";
import { CatchUpBudget, requeueTo, settleCaughtUp, type Requeue } from "./catch-up.js";
import { advanceCheckpoints, batchLagStatement, catalogStreams, recordFailure } from "./checkpoints.js";
import { RideAlong } from "./ride-along.js";
import { ackAll, eventRuns, healGaps, planStreamWork, retryDelaySeconds, settleUnowned } from "./stream-work.js";
import { SubscriberConsumer, type SubscriberBatch } from "./subscriber-consumer.js";

/**
 * Runs a process manager over a batch: per stream, in version order, each event's commands are
 * sent to their aggregates, then the checkpoint moves. Command ids derive from the causing
 * event's id, so a crash between the commands and the checkpoint replays them harmlessly. Gaps
 * are healed a bounded number of events per invocation; a longer catch-up continues through `requeue`.
 * A stateful manager's events go to their instances instead (`instances`), each of which decides,
 * records the stream's version it reached, and sends the commands through its own outbox.
 *
 * Like a projection, it plans from the checkpoints its runtime committed when it remembers them;
 * a stale one (another isolate moved it) fails the checkpoint's guard, and the stream is planned
 * again from D1. Events handed on twice that way are absorbed as any replay is. The batch's lag
 * record rides along with its first checkpoint write.
 */
export async function runProcessManager({ batch, ...options }: ManagerBatch): Promise<void> {
  const { manager, db } = options;
  const stats = new RideAlong(batchLagStatement(db, manager.name, batch.messages));
  const run: ManagerRun = { ...options, stats, budget: new CatchUpBudget() };
  await runMessages(run, batch.messages, true);
  await stats.alone(manager.name);
}

/** A batch of queue messages for one process manager, and what it takes. */
export interface ManagerBatch {
  readonly manager: ProcessManager;
  readonly batch: MessageBatch<unknown>;
  readonly db: D1Database;
  /** Where a stateless manager's commands go, and where gaps are read from. */
  readonly aggregates: AggregateClient;
  /** Sends a long catch-up's next step to the manager's own queue; none without its producer binding. */
  readonly requeue: Requeue | undefined;
  /** A stateful manager's instances; asked for only when an event concerns one. */
  readonly instances: (() => ProcessManagerClient) | undefined;
  readonly report: BatchReport;
  /** The checkpoints this runtime committed: planned from, and told of every commit. */
  readonly committed: CommittedCheckpoints;
}

interface ManagerRun extends Omit<ManagerBatch, "batch"> {
  readonly stats: RideAlong;
  readonly budget: CatchUpBudget;
}

async function runMessages(run: ManagerRun, messages: readonly Message<unknown>[], trustMemory: boolean): Promise<void> {
  const { manager, db, report } = run;
  const { work, malformed, foreign, fromMemory } = await planStreamWork({ db, subscriber: manager, messages, committed: trustMemory ? run.committed : undefined });
  report.planned(work);
  settleUnowned(manager.name, foreign, malformed);
  await Promise.all(
    work.map(async (w) => {
      if (w.target <= w.checkpoint) return ackAll(w);
      let moved = 0;
      try {
        await healGaps(w, run.aggregates, run.budget);
        // The checkpoint moves every MAX_EVENTS_PER_TRANSACTION events, so a failure late in a long
        // catch-up replays (idempotently) only the commands since the last move.
        for (const { events, from, to } of eventRuns(w)) {
          for (const event of events) {
            if (manager.stateful) await forward(manager.name, manager.correlate(event), event, run.instances);
            else await act(manager, event, run.aggregates);
          }
          const statements = advanceCheckpoints(db, manager.name, [{ streamId: w.streamId, expected: from, next: to }]);
          if (from === 0) statements.push(catalogStreams(db, [{ streamId: w.streamId, aggregate: w.aggregate }], new Date().toISOString()));
          await run.stats.carry(statements, (all) => db.batch(all));
          run.committed.remember(manager.database, manager.name, [{ streamId: w.streamId, version: to }]);
          moved++;
        }
      } catch (error) {
        if (moved === 0 && fromMemory.has(w.streamId)) {
          // Planned on a remembered checkpoint that another isolate has moved since: plan it again from D1.
          run.committed.forget(manager.database, manager.name, [w.streamId]);
          await runMessages(run, w.messages, false);
          return;
        }
        report.failed({ streamId: w.streamId, fromVersion: w.checkpoint + 1, toVersion: w.target, error, events: w.events });
        await recordFailure({ db, subscriber: manager.name, streamId: w.streamId, version: w.checkpoint + 1, error });
        for (const message of w.messages) message.retry({ delaySeconds: retryDelaySeconds(message) });
        return;
      }
      await settleCaughtUp(manager.name, w, run.requeue);
    }),
  );
}

/**
 * Deterministic id of the `index`-th command an event causes, e.g.
 * `edge-cqrs:pm:fulfilment:<eventId>:0`. It lives under the runtime's reserved prefix, which the
 * edge refuses in a client's `Idempotency-Key`: the eventId is public (command responses show
 * it), so an id a client could send would let it take the manager's command first and block it.
 */
export function causedCommandId(manager: string, event: EventEnvelope, index: number): string {
  return `${RUNTIME_COMMAND_ID_PREFIX}pm:${manager}:${event.eventId}:${index}`;
}

/** Hands an event to the instance it correlates to; an event that concerns no instance only moves the checkpoint. */
async function forward(manager: string, key: string | undefined, event: EventEnvelope, instances: (() => ProcessManagerClient) | undefined): Promise<void> {
  if (key === undefined) return;
  if (!instances) throw new Error(`${manager} is a stateful process manager, but the queue consumer was given no process-manager namespace`);
  await instances().receive(manager, key, event);
}

async function act(manager: StatelessProcessManager, event: EventEnvelope, aggregates: AggregateClient): Promise<void> {
  const commands = manager.commandsFor(event);
  for (const [index, issued] of commands.entries()) {
    const outcome = await aggregates.execute({
      ...issued,
      commandId: causedCommandId(manager.name, event, index),
      correlationId: event.metadata.correlationId,
      causationId: event.eventId,
      actor: runtimeActor(`process-manager:${manager.name}`),
      // The event's trace goes on: same trace id, a new span for the command it causes.
      traceparent: continueTrace(event.metadata.traceparent).traceparent,
    });
    // A refusal is the aggregate's answer, not a fault: retrying would get the same answer.
    if (!outcome.ok) {
      writeLog("warn", {
        event: "process-manager.command-refused",
        msg: `${manager.name}: ${issued.aggregate}/${issued.id} ${issued.command} after ${event.type} ${event.eventId}: ${outcome.body.error} ${outcome.body.message}`,
        subscriber: manager.name,
        streamId: `${issued.aggregate}/${issued.id}`,
        command: issued.command,
        causationId: event.eventId,
        error: outcome.body.error,
        message: outcome.body.message,
        traceId: traceIdOf(event.metadata.traceparent),
      });
    }
  }
}

/** What a process manager's consumer is made of. */
export interface ProcessManagerConsumerOptions {
  readonly manager: ProcessManager;
  readonly context: RuntimeContext;
  /** Reaches the aggregates' Durable Objects: a stateless manager's commands, and gaps to heal. */
  clientOf(env: object): AggregateClient;
  /** Reaches a stateful manager's instances. */
  instancesOf(env: object): ProcessManagerClient;
}

/** Consumes a process manager's queue, stateless or stateful, through {@link runProcessManager}. */
export class ProcessManagerConsumer extends SubscriberConsumer<ProcessManager> {
  private readonly clientOf: (env: object) => AggregateClient;
  private readonly instancesOf: (env: object) => ProcessManagerClient;

  constructor({ manager, context, clientOf, instancesOf }: ProcessManagerConsumerOptions) {
    super(manager, context);
    this.clientOf = clientOf;
    this.instancesOf = instancesOf;
  }

  protected async apply({ batch, db, env, report }: SubscriberBatch): Promise<void> {
    const manager = this.subscriber;
    const { committed } = this.context;
    await runProcessManager({ manager, batch, db, aggregates: this.clientOf(env), requeue: requeueTo(env, manager), instances: () => this.instancesOf(env), report, committed });
  }
}
