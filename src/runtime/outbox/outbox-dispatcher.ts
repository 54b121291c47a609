import type { EventEnvelope } from "../envelope/index.js";
import type { EventStore, ParkedEvent, StoredEvent } from "../event-store/index.js";

/**
 * A queue the outbox feeds: its name (the cursor's key), the producer binding that sends to it,
 * and the D1 database of its subscriber, where an event the outbox gives up on is recorded.
 */
export interface OutboxRoute {
  readonly queue: string;
  readonly binding: string;
  readonly database?: string;
  /**
   * The queue wants only each stream's head, not every event (the runtime's stream catalog): each
   * send carries just the newest envelope of its batch, so the catalog costs one message per send.
   */
  readonly headsOnly?: boolean;
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
 * A `sendBatch` answers in tens of milliseconds; one that has not answered in 15 s is treated as
 * failed, so a hung send cannot hold the queue's cursor (a send that did land is re-sent, and the
 * projectors' checkpoints absorb the duplicate).
 */
export const OUTBOX_SEND_TIMEOUT_MS = 15_000;
/** After this many failed sends in a row, a queue is sent one event at a time, to find the one that cannot go. */
export const OUTBOX_ISOLATE_AFTER = 3;
/**
 * An event one queue refused this many times in a row (sent alone, about 20 minutes of backoff)
 * is parked: recorded for the operator and skipped, so the events after it flow again. Its
 * subscriber still gets it: a later event of the stream reveals the gap, which is healed from
 * the aggregate.
 */
export const OUTBOX_MAX_ATTEMPTS = 30;

/** What the object does around the outbox: the alarm is shared with its other housekeeping. */
export interface OutboxHooks {
  /** Every queue caught up after the outbox had armed the alarm: the object sets it for its own next job. */
  onIdle(): void;
  /** An event was parked for one queue. */
  onParked(route: OutboxRoute, event: ParkedEvent): void;
  /** A send to `route` failed; the outbox tries again in `delayMs` (its `attempts`-th failure in a row). */
  onRetry(route: OutboxRoute, attempts: number, delayMs: number, error: unknown): void;
}

/**
 * Moves committed events from the object's stream to every subscribed queue. The events table is
 * the outbox: each queue has a cursor (the last version it was sent) that advances only after a
 * successful `sendBatch`, so a crash or a failed send re-sends rather than loses. Re-sent events
 * are duplicates the projectors' checkpoints absorb.
 */
export class OutboxDispatcher {
  private running: Promise<void> | undefined;
  private again = false;
  private alarmArmed = false;
  private backoffUntil = 0;
  /** How long one `sendBatch` may take; only tests shorten it (through the object's test seam). */
  sendTimeoutMs = OUTBOX_SEND_TIMEOUT_MS;

  constructor(
    private readonly store: EventStore,
    private readonly storage: DurableObjectStorage,
    private readonly routes: readonly OutboxRoute[],
    private readonly toEnvelope: (event: StoredEvent) => EventEnvelope,
    public send: QueueSender,
    private readonly hooks: OutboxHooks,
  ) {}

  /**
   * Called in the same synchronous turn as the command's `transactionSync`, so the alarm is
   * durable with the events it guards: no `await` separates the writes, and Durable Object storage
   * commits the writes of one turn together (automatic write coalescing:
   * https://developers.cloudflare.com/durable-objects/api/storage-api/).
   */
  armSafetyAlarm(): void {
    if (this.alarmArmed || this.routes.length === 0) return;
    this.alarmArmed = true;
    void this.storage.setAlarm(Date.now() + OUTBOX_SAFETY_DELAY_MS);
  }

  /** Whether the outbox armed the alarm and still needs it (a safety or retry alarm). */
  get owesAlarm(): boolean {
    return this.alarmArmed;
  }

  /** Whether every queue has been sent every event. */
  isCaughtUp(): boolean {
    const version = this.store.version();
    return this.routes.every((route) => this.store.cursor(route.queue) >= version);
  }

  /**
   * Sends whatever is pending; a second call while one runs makes it loop once more. Never throws.
   * While a failed send waits for its retry alarm, new commits do not send: a queue that is down
   * is tried at the backoff's pace, not once per command, so attempts measure time spent failing.
   * `force` (the alarm, a flush) sends regardless.
   */
  dispatch(force = false): Promise<void> {
    if (!force && !this.running && Date.now() < this.backoffUntil) return Promise.resolve();
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
    return this.dispatch(true);
  }

  private async run(): Promise<void> {
    do {
      this.again = false;
      // allSettled, not all: a failed queue must not end this run while another queue's send is
      // still in flight, or the next dispatch would send that queue the same events again.
      const results = await Promise.allSettled(this.routes.map((route) => this.drain(route)));
      const failed = results.flatMap((r, i) => (r.status === "rejected" ? [{ route: this.routes[i]!, error: r.reason as unknown }] : []));
      if (failed.length > 0) {
        const attempts = Math.max(...this.routes.map((route) => this.store.attempts(route.queue)), 1);
        const delay = Math.min(OUTBOX_RETRY_BASE_MS * 2 ** (attempts - 1), OUTBOX_RETRY_MAX_MS);
        for (const { route, error } of failed) this.hooks.onRetry(route, Math.max(this.store.attempts(route.queue), 1), delay, error);
        this.alarmArmed = true;
        this.backoffUntil = Date.now() + delay;
        await this.storage.setAlarm(this.backoffUntil);
        return;
      }
    } while (this.again);
    this.backoffUntil = 0;
    // Checked and handed over without an `await` in between: a command arriving after this sees
    // `alarmArmed === false` and arms a new alarm in its own transaction.
    if (this.alarmArmed && this.isCaughtUp()) {
      this.alarmArmed = false;
      this.hooks.onIdle();
    }
  }

  private async drain(route: OutboxRoute): Promise<void> {
    for (;;) {
      const attempts = this.store.attempts(route.queue);
      const limit = attempts >= OUTBOX_ISOLATE_AFTER ? 1 : MAX_BATCH_MESSAGES;
      const pending = this.store.eventsAfter(this.store.cursor(route.queue), undefined, limit);
      if (pending.length === 0) return;
      const envelopes = withinBatchBytes(pending.map(this.toEnvelope));
      const batch = route.headsOnly ? envelopes.slice(-1) : envelopes;
      try {
        await withTimeout(this.send(route, batch), this.sendTimeoutMs, `send to queue ${route.queue}`);
      } catch (error) {
        const failed = this.store.recordAttempt(route.queue);
        if (batch.length > 1 || failed < OUTBOX_MAX_ATTEMPTS) throw error;
        this.park(route, batch[0]!.version, failed, error);
        continue;
      }
      this.store.advanceCursor(route.queue, batch[batch.length - 1]!.version);
    }
  }

  private park(route: OutboxRoute, version: number, attempts: number, error: unknown): void {
    const parked: ParkedEvent = {
      queue: route.queue,
      version,
      attempts,
      error: error instanceof Error ? error.message : String(error),
      parkedAt: new Date().toISOString(),
    };
    this.store.park(parked);
    this.hooks.onParked(route, parked);
  }
}

/** Rejects when `promise` has not settled within `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
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
