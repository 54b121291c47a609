import { BatchReport, writeLog } from "../observability/index.js";
import type { ProcessManager } from "../process-manager/index.js";
import type { Projection } from "../projection/index.js";
import type { Publisher } from "../publisher/index.js";
import type { RuntimeContext } from "../runtime-context/index.js";
import type { Consumer } from "./consumer.js";
import { parkDeadLetters } from "./dead-letters.js";

/** Every kind of subscriber: each has a queue of its own, a dead-letter queue, and a read database. */
export type Subscriber = Projection | ProcessManager | Publisher;

/** One batch of a subscriber's queue, as its kind applies it. */
export interface SubscriberBatch {
  readonly batch: MessageBatch<unknown>;
  /** The subscriber's read database, with the runtime's tables in it. */
  readonly db: D1Database;
  readonly env: object;
  /** Told what the batch planned and what failed; writes the batch's line when it ends. */
  readonly report: BatchReport;
}

/**
 * What every subscriber kind's consumer shares: a batch gets the subscriber's database and one
 * `BatchReport` (its `projector.batch` line and data point, written whether the batch ends or
 * throws), and the dead-letter queue's batches are parked in D1. The kinds differ only in how
 * they apply a batch ({@link apply}).
 */
export abstract class SubscriberConsumer<S extends Subscriber> implements Consumer {
  readonly queue: string;
  readonly deadLetterQueue: string | undefined;

  constructor(
    protected readonly subscriber: S,
    protected readonly context: RuntimeContext,
  ) {
    this.queue = subscriber.queue.name;
    this.deadLetterQueue = subscriber.queue.deadLetterQueue;
  }

  async consume(batch: MessageBatch<unknown>, env: object): Promise<void> {
    const db = await this.database(env);
    const report = new BatchReport(this.subscriber, batch, this.context.metrics.of(env), this.context.logSampleRate);
    try {
      await this.apply({ batch, db, env, report });
    } catch (error) {
      report.finish(error);
      throw error;
    }
    report.finish();
    await this.finished(batch, db);
  }

  async consumeDeadLetters(batch: MessageBatch<unknown>, env: object): Promise<void> {
    const db = await this.database(env);
    const metrics = this.context.metrics.of(env);
    const { name } = this.subscriber;
    writeLog("warn", { event: "dead-letters.received", msg: `${name}: ${batch.messages.length} dead letter(s) to park`, subscriber: name, messages: batch.messages.length });
    metrics.deadLetters(name, batch.messages.length);
    await parkDeadLetters(this.subscriber, batch, db);
  }

  /** Applies one batch of the subscriber's queue; settles every message, or throws. */
  protected abstract apply(run: SubscriberBatch): Promise<void>;

  /** Runs once the batch's line is written; a kind that keeps no checkpoints records its lag here. */
  protected async finished(_batch: MessageBatch<unknown>, _db: D1Database): Promise<void> {}

  private database(env: object): Promise<D1Database> {
    return this.context.tables.database(env, this.subscriber.database, this.subscriber.name);
  }
}
