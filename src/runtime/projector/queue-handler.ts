import { AggregateClient } from "../aggregate-client";
import type { ProcessManager } from "../process-manager";
import type { Projection } from "../projection";
import type { Publisher } from "../publisher";
import { recordBatchLag } from "./checkpoints";
import { parkDeadLetters } from "./dead-letters";
import { runProcessManager } from "./process-manager-runner";
import { runProjection } from "./projection-runner";
import { runPublisher } from "./publisher-runner";

type Subscriber = Projection | ProcessManager | Publisher;

/**
 * The Worker's `queue()` handler: dispatches each batch on its queue name to the subscriber that
 * owns the queue (or its dead-letter queue). One Worker can consume every queue, as `npm start`
 * does, or a Worker can be deployed per projector with only that queue bound: same code.
 */
export function createQueueHandler(subscribers: readonly Subscriber[]) {
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
    const db = (env as Record<string, unknown>)[owner.database] as D1Database | undefined;
    if (!db || typeof db.batch !== "function") throw new Error(`D1 binding ${owner.database} (for ${owner.name}) is missing from wrangler.toml`);
    if (parked) return parkDeadLetters(parked, batch, db);
    // A publisher needs no aggregate object: a Worker deployed for it binds only its queues and D1.
    if (owner.kind === "publisher") {
      await runPublisher(owner, batch, db, env);
      return recordBatchLag(db, owner.name, batch.messages);
    }
    const aggregates = AggregateClient.fromEnv(env);
    if (owner.kind === "projection") await runProjection(owner, batch, db, aggregates);
    else await runProcessManager(owner, batch, db, aggregates);
    await recordBatchLag(db, owner.name, batch.messages);
  };
}
