import type { AggregateClient } from "../aggregate-client/index.js";
import { describeError, writeLog } from "../observability/index.js";
import type { ProcessManager } from "../process-manager/index.js";
import type { Projection } from "../projection/index.js";
import { rebuildQueue, reconcileProjection, reportReconcileFailed } from "../rebuild/index.js";
import type { RuntimeContext } from "../runtime-context/index.js";
import { readLag } from "./lag.js";
import { sweepSubscriber } from "./stream-sweep.js";

/** What the cron trigger's handler works on. */
export interface ScheduledHandlerOptions {
  /** Every projection and process manager: the subscribers whose streams the catalog follows. */
  readonly subscribers: readonly (Projection | ProcessManager)[];
  /** Reaches the aggregates' Durable Objects, where a stream left behind is read back. */
  clientOf(env: object): AggregateClient;
  readonly context: RuntimeContext;
}

/** A Worker's `scheduled()` handler, without the execution context it does not use. */
export type ScheduledHandler = (controller: ScheduledController, env: object) => Promise<void>;

/**
 * The cron trigger's handler: sweeps every projection and process manager for streams left
 * behind (a lost message) and heals them through their own queue; starts the rebuild of a
 * projection that is new or whose version was bumped, and resumes a stalled rebuild. When the
 * application writes metrics, it also reports each subscriber's lag against the catalog.
 */
export function createScheduledHandler({ subscribers, clientOf, context }: ScheduledHandlerOptions): ScheduledHandler {
  return async function scheduled(controller, env) {
    const client = clientOf(env);
    const metrics = context.metrics.of(env);
    // One subscriber's failure (a missing binding, D1 unavailable) must not stop the others' sweep.
    const results = await Promise.allSettled(
      subscribers.map(async (s) => {
        const producer = (env as Record<string, unknown>)[s.queue.binding] as Queue | undefined;
        if (!producer || typeof producer.sendBatch !== "function") throw new Error(`queue producer binding ${s.queue.binding} (for ${s.name}) is missing`);
        const db = await context.tables.database(env, s.database, s.name);
        // A new projection, a bumped version or a stalled rebuild is acted on here at the latest.
        if (s.kind === "projection") {
          // Logged, not rethrown: a projection that cannot be rebuilt (its tables are missing) is still swept.
          await reconcileProjection({ projection: s, db, queue: rebuildQueue(producer), now: controller.scheduledTime }).catch((error: unknown) => reportReconcileFailed(s.name, error));
        }
        const swept = await sweepSubscriber({ subscriber: s, db, producer, aggregates: client, now: controller.scheduledTime });
        // The cron doubles as the clock of the lag gauge: one query per subscriber, and only when metrics are written.
        if (metrics.enabled) metrics.lag(s.name, await readLag(db, s.name, s.aggregates, controller.scheduledTime));
        return swept;
      }),
    );
    const failed = results.flatMap((r, i) => (r.status === "rejected" ? [{ subscriber: subscribers[i]!.name, reason: r.reason as unknown }] : []));
    for (const { subscriber, reason } of failed) {
      const text = describeError(reason);
      writeLog("error", { event: "stream-sweep.failed", msg: `${subscriber}: stream sweep failed: ${text}`, subscriber, error: text });
    }
    // Rethrown once every sweep has run, so the cron invocation shows as failed in the dashboard.
    if (failed.length > 0) throw new AggregateError(failed.map((f) => f.reason), `the stream sweep failed for ${failed.length} subscriber(s)`);
  };
}
