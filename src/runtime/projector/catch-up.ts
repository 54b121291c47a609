import type { EventEnvelope } from "../envelope/index.js";
import { describeError, writeLog } from "../observability/index.js";
import type { Subscription } from "../subscription/index.js";
import { ackAll, type StreamWork } from "./stream-work.js";

/**
 * Events one invocation reads from an aggregate to heal one stream's gap: one read of the object
 * (a page is at most 1,000) and five D1 transactions. A stream that reaches a projection for the
 * first time with more history than this catches up over several invocations, each committing
 * what it read, instead of loading the whole stream into one invocation's memory and failing the
 * same way on every retry.
 */
export const MAX_EVENTS_HEALED_PER_STREAM = 500;
/**
 * Events one invocation reads from aggregates across all the streams of its batch, so a batch of
 * a hundred new long streams is bounded too: ~2 MB at a typical 1 KB envelope, 48 MB at this
 * example's largest (24 KB), inside a Worker's 128 MB. Streams past the budget wait for the next
 * invocation.
 */
export const MAX_EVENTS_HEALED_PER_INVOCATION = 2_000;
/**
 * Delay of a catch-up's next step: it is sent back to the subscriber's own queue, so fresh
 * messages are consumed in between and a long catch-up does not hold D1 to itself.
 */
export const CATCH_UP_REQUEUE_DELAY_SECONDS = 1;

/** Sends an envelope back to the subscriber's own queue as a new message, for a catch-up's next step. */
export type Requeue = (envelope: EventEnvelope) => Promise<void>;

/**
 * A long catch-up's next step goes back to the subscriber's own queue through its producer
 * binding. A Worker that consumes the queue without producing to it falls back to retries, which
 * count toward the dead-letter queue: declare the producer too, as
 * docs/examples/order-details-projector.wrangler.toml does.
 */
export function requeueTo(env: object, subscriber: Subscription): Requeue | undefined {
  const producer = (env as Record<string, unknown>)[subscriber.queue.binding] as Queue | undefined;
  if (!producer || typeof producer.send !== "function") return undefined;
  return async (envelope) => {
    await producer.send(envelope, { contentType: "json", delaySeconds: CATCH_UP_REQUEUE_DELAY_SECONDS });
  };
}

/** How many events an invocation may still read from aggregates; handed out stream by stream. */
export class CatchUpBudget {
  constructor(private left = MAX_EVENTS_HEALED_PER_INVOCATION) {}

  /** Up to `wanted` events, at most {@link MAX_EVENTS_HEALED_PER_STREAM}; 0 once spent. */
  take(wanted: number): number {
    const granted = Math.max(0, Math.min(wanted, MAX_EVENTS_HEALED_PER_STREAM, this.left));
    this.left -= granted;
    return granted;
  }
}

/**
 * Settles a stream's messages once what it read is committed. Caught up: every message is acked.
 * Not yet: its newest envelope is sent back to the queue as a new message (so the rest of the
 * catch-up does not count as failed attempts toward the dead-letter queue) and the originals are
 * acked. Without a way to send (no producer binding, or the send failed), the messages the
 * commit covers are acked and the others retried, which does count as an attempt.
 */
export async function settleCaughtUp(subscriber: string, work: StreamWork, requeue: Requeue | undefined): Promise<void> {
  const reached = work.checkpoint + work.events.length;
  if (reached >= work.target) return ackAll(work);
  if (requeue) {
    try {
      await requeue(work.latest);
      return ackAll(work);
    } catch (error) {
      writeLog("error", {
        event: "projector.requeue-failed",
        msg: `${subscriber}: could not requeue the catch-up of ${work.streamId} at ${reached}/${work.target}; retrying instead`,
        subscriber,
        streamId: work.streamId,
        reached,
        target: work.target,
        error: describeError(error),
      });
    }
  }
  for (const message of work.messages) {
    if ((message.body as EventEnvelope).version <= reached) message.ack();
    else message.retry({ delaySeconds: CATCH_UP_REQUEUE_DELAY_SECONDS });
  }
}
