import type { EventEnvelope } from "../envelope";
import type { EventStore, StoredEvent } from "../event-store";

/** A queue the outbox feeds: its name (the cursor's key) and the producer binding that sends to it. */
export interface OutboxRoute {
  readonly queue: string;
  readonly binding: string;
}

/** Sends one batch to one queue; swapped in tests to inject a failing producer. */
export type QueueSender = (route: OutboxRoute, envelopes: readonly EventEnvelope[]) => Promise<void>;

/** Queues take at most 100 messages per `sendBatch`. */
export const MAX_BATCH_MESSAGES = 100;
/** Queues take at most 256 KB per `sendBatch`; the margin covers per-message framing. */
export const MAX_BATCH_BYTES = 240 * 1024;
/** If the object dies between commit and send, this alarm sends what it left behind. */
export const OUTBOX_SAFETY_DELAY_MS = 5_000;
/** Exponential backoff for failed sends: 250 ms, 500 ms, 1 s, … capped at one minute. */
export const OUTBOX_RETRY_BASE_MS = 250;
export const OUTBOX_RETRY_MAX_MS = 60_000;

/**
 * Moves committed events from the object's stream to every subscribed queue. The events table is
 * the outbox: each queue has a cursor (the last version it was sent) that advances only after a
 * successful `sendBatch`, so a crash or a failed send re-sends rather than loses. Re-sent events
 * are duplicates the projectors' checkpoints absorb.
 */
export class OutboxDispatcher {
  private running: Promise<void> | undefined;
  private again = false;
  private failures = 0;
  private alarmArmed = false;

  constructor(
    private readonly store: EventStore,
    private readonly storage: DurableObjectStorage,
    private readonly routes: readonly OutboxRoute[],
    private readonly toEnvelope: (event: StoredEvent) => EventEnvelope,
    public send: QueueSender,
  ) {}

  /**
   * Called in the same synchronous turn as the command's `transactionSync`, so the alarm is
   * durable with the events it guards: no `await` separates the writes, and Durable Object storage
   * commits writes of one turn together (DESIGN §2, platform facts).
   */
  armSafetyAlarm(): void {
    if (this.alarmArmed || this.routes.length === 0) return;
    this.alarmArmed = true;
    void this.storage.setAlarm(Date.now() + OUTBOX_SAFETY_DELAY_MS);
  }

  /** Whether every queue has been sent every event. */
  isCaughtUp(): boolean {
    const version = this.store.version();
    return this.routes.every((route) => this.store.cursor(route.queue) >= version);
  }

  /** Sends whatever is pending; a second call while one runs makes it loop once more. Never throws. */
  dispatch(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** The alarm fired: the platform deleted it, so the next command must arm a new one. */
  onAlarm(): Promise<void> {
    this.alarmArmed = false;
    return this.dispatch();
  }

  private async run(): Promise<void> {
    do {
      this.again = false;
      try {
        // allSettled, not all: a failed queue must not end this run while another queue's send is
        // still in flight, or the next dispatch would send that queue the same events again.
        const results = await Promise.allSettled(this.routes.map((route) => this.drain(route)));
        const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed) throw failed.reason;
        this.failures = 0;
      } catch (error) {
        this.failures++;
        const delay = Math.min(OUTBOX_RETRY_BASE_MS * 2 ** (this.failures - 1), OUTBOX_RETRY_MAX_MS);
        console.warn(`outbox: send failed (attempt ${this.failures}), retrying in ${delay} ms:`, error);
        this.alarmArmed = true;
        await this.storage.setAlarm(Date.now() + delay);
        return;
      }
    } while (this.again);
    // Checked and cleared without an `await` in between: a command arriving after this sees
    // `alarmArmed === false` and arms a new alarm in its own transaction.
    if (this.alarmArmed && this.isCaughtUp()) {
      this.alarmArmed = false;
      void this.storage.deleteAlarm();
    }
  }

  private async drain(route: OutboxRoute): Promise<void> {
    for (;;) {
      const pending = this.store.eventsAfter(this.store.cursor(route.queue), undefined, MAX_BATCH_MESSAGES);
      if (pending.length === 0) return;
      const batch = withinBatchBytes(pending.map(this.toEnvelope));
      await this.send(route, batch);
      this.store.advanceCursor(route.queue, batch[batch.length - 1]!.version);
    }
  }
}

function withinBatchBytes(envelopes: EventEnvelope[]): EventEnvelope[] {
  let bytes = 0;
  let count = 0;
  for (const envelope of envelopes) {
    bytes += byteLength(JSON.stringify(envelope));
    if (count > 0 && bytes > MAX_BATCH_BYTES) break;
    count++;
  }
  return envelopes.slice(0, count);
}

const encoder = new TextEncoder();

/** UTF-8 size of a string: what Queues count against their limits. */
export const byteLength = (text: string): number => encoder.encode(text).byteLength;

/** The production sender: the queue producer binding named by the route. */
export function bindingQueueSender(env: object): QueueSender {
  return async (route, envelopes) => {
    const queue = (env as Record<string, unknown>)[route.binding] as Queue<EventEnvelope> | undefined;
    if (!queue || typeof queue.sendBatch !== "function") {
      throw new Error(`queue producer binding ${route.binding} (queue ${route.queue}) is missing from wrangler.toml`);
    }
    await queue.sendBatch(envelopes.map((body) => ({ body, contentType: "json" as const })));
  };
}
