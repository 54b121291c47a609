import type { AggregateClient } from "../aggregate-client/index.js";
import { BatchReport, writeLog } from "../observability/index.js";
import type { ProcessManager } from "../process-manager/index.js";
import type { ProcessManagerClient } from "../process-manager-object/index.js";
import type { Projection } from "../projection/index.js";
import type { Publisher } from "../publisher/index.js";
import type { RuntimeContext } from "../runtime-context/index.js";
import { CATCH_UP_REQUEUE_DELAY_SECONDS, type Requeue } from "./catch-up.js";
import { recordBatchLag } from "./checkpoints.js";
import { parkDeadLetters } from "./dead-letters.js";
import { runProcessManager } from "./process-manager-runner.js";
import { runProjection, type LiveRebuildOf, type RebuildCheck, type ShadowWrites } from "./projection-runner.js";
import { runPublisher } from "./publisher-runner.js";

type Subscriber = Projection | ProcessManager | Publisher;

/**
 * Work a projection's queue carries besides events (a rebuild's messages), plugged in by the
 * runtime so this module does not depend on it.
 */
export interface ProjectionQueueWork {
  /** Whether a message body is this work's rather than an event envelope. */
  owns(body: unknown): boolean;
  /** Runs after the batch's events; settles every message it is given. */
  run(projection: Projection, messages: readonly Message<unknown>[], db: D1Database, aggregates: AggregateClient, env: object): Promise<void>;
  /** Runs before each batch of the projection's events; must be cheap after its first call in a runtime, and never throw. */
  beforeBatch(projection: Projection, db: D1Database, env: object): Promise<void>;
  /** The projection's running rebuild, if any, asked at the start of each batch; from memory unless `trustMemory` is false (see {@link RebuildCheck}). */
  runningRebuild(projection: Projection, db: D1Database, trustMemory: boolean): Promise<RebuildCheck>;
  /** Where the batch's live events go as well while `rebuildId` runs (its shadow tables). */
  shadowWrites(projection: Projection, db: D1Database, rebuildId: string, streamIds: readonly string[]): Promise<ShadowWrites>;
}

/**
 * The Worker's `queue()` handler: dispatches each batch on its queue name to the subscriber that
 * owns the queue (or its dead-letter queue). One Worker can consume every queue, as `npm start`
 * does, or a Worker can be deployed per projector with only that queue bound: same code.
 */
export function createQueueHandler(
  subscribers: readonly Subscriber[],
  clientOf: (env: object) => AggregateClient,
  instancesOf: (env: object) => ProcessManagerClient,
  options: { readonly context: RuntimeContext; readonly projectionWork?: ProjectionQueueWork | undefined },
) {
  const { context, projectionWork } = options;
  const byQueue = new Map<string, Subscriber>();
  const byDeadLetterQueue = new Map<string, Subscriber>();
  for (const s of subscribers) {
    if (byQueue.has(s.queue.name)) throw new Error(`queue ${s.queue.name} is claimed by two subscribers`);
    byQueue.set(s.queue.name, s);
    if (s.queue.deadLetterQueue) byDeadLetterQueue.set(s.queue.deadLetterQueue, s);
  }
  return async function queue(batch: MessageBatch<unknown>, env: object): Promise<void> {
    const subscriber = byQueue.get(batch.queue);
    const parked = byDeadLetterQueue.get(batch.queue);
    const owner = subscriber ?? parked;
    if (!owner) throw new Error(`no projection or process manager consumes queue ${batch.queue}`);
    const db = await context.tables.database(env, owner.database, owner.name);
    const metrics = context.metrics.of(env);
    if (parked) {
      writeLog("warn", {
        event: "dead-letters.received",
        msg: `${parked.name}: ${batch.messages.length} dead letter(s) to park`,
        subscriber: parked.name,
        messages: batch.messages.length,
      });
      metrics.deadLetters(parked.name, batch.messages.length);
      return parkDeadLetters(parked, batch, db);
    }
    const report = new BatchReport(owner, batch, metrics, context.logSampleRate);
    // A rebuild's messages share the projection's queue; everything else in the batch is an event.
    const events = owner.kind === "projection" && projectionWork ? batch.messages.filter((m) => !projectionWork.owns(m.body)) : batch.messages;
    try {
      // A publisher needs no aggregate object: a Worker deployed for it binds only its queues and D1.
      if (owner.kind === "publisher") await runPublisher(owner, batch, db, env, report);
      else if (owner.kind === "process-manager") {
        const { committed } = context;
        await runProcessManager({ manager: owner, batch, db, aggregates: clientOf(env), requeue: requeueTo(env, owner), instances: () => instancesOf(env), report, committed });
      }
      else {
        await projectionWork?.beforeBatch(owner, db, env);
        const rebuildOf = projectionWork && rebuildOfBatch(projectionWork, owner, db);
        const { committed } = context;
        await runProjection({ projection: owner, messages: events, db, aggregates: clientOf(env), requeue: requeueTo(env, owner), report, rebuildOf, committed });
        if (projectionWork && events.length < batch.messages.length) {
          await projectionWork.run(owner, batch.messages.filter((m) => projectionWork.owns(m.body)), db, clientOf(env), env);
        }
      }
    } catch (error) {
      report.finish(error);
      throw error;
    }
    report.finish();
    // Projections and process managers record their batch's lag within their own D1 writes.
    if (owner.kind === "publisher") await recordBatchLag(db, owner.name, events);
  };
}

/**
 * Asks at once whether a rebuild runs, so that a read it needs overlaps the batch's checkpoint
 * read instead of following it; the answer is awaited only when the batch has events to apply.
 */
function rebuildOfBatch(work: ProjectionQueueWork, projection: Projection, db: D1Database): LiveRebuildOf {
  const first = work.runningRebuild(projection, db, true);
  // Awaited below when needed; a batch with nothing to apply must not leave it unhandled.
  first.catch(() => undefined);
  return async (streamIds, trustMemory) => {
    const { rebuildId, guard } = await (trustMemory ? first : work.runningRebuild(projection, db, false));
    return { writes: rebuildId === undefined ? undefined : await work.shadowWrites(projection, db, rebuildId, streamIds), guard };
  };
}

/**
 * A long catch-up's next step goes back to the subscriber's own queue through its producer
 * binding. A Worker that consumes the queue without producing to it falls back to retries, which
 * count toward the dead-letter queue: declare the producer too, as
 * docs/examples/order-details-projector.wrangler.toml does.
 */
function requeueTo(env: object, subscriber: Subscriber): Requeue | undefined {
  const producer = (env as Record<string, unknown>)[subscriber.queue.binding] as Queue | undefined;
  if (!producer || typeof producer.send !== "function") return undefined;
  return async (envelope) => {
    await producer.send(envelope, { contentType: "json", delaySeconds: CATCH_UP_REQUEUE_DELAY_SECONDS });
  };
}
