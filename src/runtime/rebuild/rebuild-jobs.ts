import type { AggregateClient } from "../aggregate-client/index.js";
import { describeError, writeLog } from "../observability/index.js";
import type { Projection } from "../projection/index.js";
import type { ProjectionQueueWork } from "../projector/index.js";
import type { RebuildMemory } from "../runtime-context/index.js";
import { liveShadowWrites, runningRebuild } from "./live-shadow.js";
import { isRebuildMessage, rebuildQueue, RebuildMessageSchema, type RebuildQueue, type StreamJob } from "./rebuild-messages.js";
import { runRebuildStep } from "./rebuild-step.js";
import { recordIfFilled } from "./filling.js";
import { reconcileProjection, reportReconcileFailed } from "./reconcile.js";
import { runStreamJobs } from "./stream-job.js";

/**
 * A rebuild's share of a projection's queue: its step and stream-job messages, a running rebuild's
 * shadow as a second destination of live events, and the check of the projection's state before
 * its first batch in each runtime (a deploy that bumped a version starts its rebuild without
 * waiting for the cron trigger; a new projection is recorded as new, for the cron to backfill), and
 * while a new projection fills, the check after each batch that records it once its view is complete.
 * `memory` is the runtime's: which projections it last found idle, and which it checked already.
 */
export const rebuildQueueWork = (memory: RebuildMemory): ProjectionQueueWork => ({
  owns: isRebuildMessage,
  runningRebuild: (projection, db, trustMemory) => runningRebuild(memory, projection, db, trustMemory),
  shadowWrites: liveShadowWrites,

  async beforeBatch(projection, db, env) {
    if (!memory.firstCheck(db, projection.name)) return;
    const queue = producerOf(env, projection);
    if (!queue) return;
    // The live events of the batch must never fail with a rebuild's bookkeeping.
    const filling = await reconcileProjection({ projection, db, queue, now: Date.now(), firstSeen: false }).catch((error: unknown) => {
      reportReconcileFailed(projection.name, error);
      return false;
    });
    memory.foundFilling(projection.database, projection.name, filling);
  },

  async afterBatch(projection, db, startedStreams) {
    // Only a stream applied from its first event can complete a view that is filling.
    if (!startedStreams || !memory.isFilling(projection.database, projection.name)) return;
    const outcome = await recordIfFilled(db, projection).catch((error: unknown) => {
      reportReconcileFailed(projection.name, error);
      return "filling" as const;
    });
    if (outcome !== "filling") memory.foundFilling(projection.database, projection.name, false);
  },

  async run({ projection, messages, db, aggregates, env }) {
    const queue = producerOf(env, projection);
    if (!queue) {
      writeLog("error", {
        event: "rebuild.producer-missing",
        msg: `${projection.name}: rebuild messages need the queue producer binding ${projection.queue.binding}`,
        projection: projection.name,
        binding: projection.queue.binding,
      });
      for (const message of messages) message.retry();
      return;
    }
    await runRebuildMessages({ projection, db, aggregates, queue }, messages);
  },
});

/** What a projection's rebuild messages are run with. */
interface RebuildRun {
  readonly projection: Projection;
  readonly db: D1Database;
  readonly aggregates: AggregateClient;
  readonly queue: RebuildQueue;
}

async function runRebuildMessages({ projection, db, aggregates, queue }: RebuildRun, messages: readonly Message<unknown>[]): Promise<void> {
  const steps = new Map<string, Message<unknown>[]>();
  const jobs = new Map<string, { message: Message<unknown>; body: StreamJob }[]>();
  for (const message of messages) {
    const parsed = RebuildMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      writeLog("error", {
        event: "rebuild.message-dropped",
        msg: `${projection.name}: message ${message.id} is not a rebuild message; dropped`,
        projection: projection.name,
        messageId: message.id,
      });
      message.ack();
      continue;
    }
    const body = parsed.data;
    if (body.rebuild === "step") steps.set(body.rebuildId, [...(steps.get(body.rebuildId) ?? []), message]);
    else jobs.set(body.rebuildId, [...(jobs.get(body.rebuildId) ?? []), { message, body }]);
  }
  for (const [rebuildId, batch] of jobs) await runStreamJobs({ projection, rebuildId, db, aggregates, queue }, batch);
  // Duplicate steps of one rebuild (a resumed one whose lost step turned up) run once.
  for (const [rebuildId, duplicates] of steps) {
    try {
      await runRebuildStep({ projection, rebuildId, db, queue });
      for (const message of duplicates) message.ack();
    } catch (error) {
      const text = describeError(error);
      writeLog("error", {
        event: "rebuild.step-failed",
        msg: `${projection.name}: rebuild ${rebuildId} step failed; retrying: ${text}`,
        projection: projection.name,
        rebuildId,
        error: text,
      });
      for (const message of duplicates) message.retry({ delaySeconds: 1 });
    }
  }
}

function producerOf(env: object, projection: Projection): RebuildQueue | undefined {
  const producer = (env as Record<string, unknown>)[projection.queue.binding] as Queue | undefined;
  return producer && typeof producer.send === "function" ? rebuildQueue(producer) : undefined;
}
