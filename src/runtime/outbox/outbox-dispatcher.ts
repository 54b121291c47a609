import { Backoff, SAFETY_ALARM_DELAY_MS, SingleFlight, type AlarmJob, type AlarmScheduler, type PassResult } from "../durable-core/index.js";
import type { EventEnvelope } from "../envelope/index.js";
import type { EventStore, OutboxCursor, ParkedEvent, StoredEvent } from "../event-store/index.js";

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
   * send carries just the newest envelope of its batch. Only a stream's first head goes out with
   * its command; later heads wait for the outbox's alarm (at most CATALOG_HEAD_DELAY_MS after
   * the first of them), so the catalog costs one message per second of a burst, not one per command.
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
export const OUTBOX_SAFETY_DELAY_MS = SAFETY_ALARM_DELAY_MS;
/**
 * How long a stream's newest head may wait for the alarm that sends it to a heads-only queue (the
 * stream catalog). Lag and the sweep read the catalog's heads: a head 5 s late (the safety alarm's
 * pace) showed a burst's lag as 0 until it was over. One second keeps lag honest within a second or
 * two, for one alarm and one catalog message per second of a busy stream instead of per 5 s.
 */
export const CATALOG_HEAD_DELAY_MS = 1_000;
/** Exponential backoff for failed sends: 250 ms, 500 ms, 1 s, … capped at one minute. */
export const OUTBOX_RETRY_BASE_MS = 250;
export const OUTBOX_RETRY_MAX_MS = 60_000;
const OUTBOX_BACKOFF = new Backoff({ baseMs: OUTBOX_RETRY_BASE_MS, maxMs: OUTBOX_RETRY_MAX_MS });
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

/** An event ready to send: its envelope and the size it counts for against a batch's bytes. */
interface Outgoing {
  readonly envelope: EventEnvelope;
  readonly bytes: number;
}

/** What the object does around the outbox. */
export interface OutboxHooks {
  /** An event was parked for one queue. */
  onParked(route: OutboxRoute, event: ParkedEvent): void;
  /** A send to `route` failed; the outbox tries again in `delayMs` (its `attempts`-th failure in a row). */
  onRetry(route: OutboxRoute, attempts: number, delayMs: number, error: unknown): void;
}

/** What an {@link OutboxDispatcher} is built from. */
export interface OutboxDispatcherOptions {
  readonly store: EventStore;
  /** The object's one alarm, shared with its other jobs: the outbox's safety and retry alarms go through it. */
  readonly scheduler: AlarmScheduler;
  readonly routes: readonly OutboxRoute[];
  readonly toEnvelope: (event: StoredEvent) => EventEnvelope;
  readonly send: QueueSender;
  readonly hooks: OutboxHooks;
}

/**
 * Moves committed events from the object's stream to every subscribed queue. The events table is
 * the outbox: each queue has a cursor (the last version it was sent) that advances only after a
 * successful `sendBatch`, so a crash or a failed send re-sends rather than loses. Re-sent events
 * are duplicates the projectors' checkpoints absorb.
 *
 * It is one of its object's alarm jobs: due at the safety time after a burst of commits began,
 * or when a failed send's backoff ends.
 */
export class OutboxDispatcher implements AlarmJob {
  readonly name = "outbox";
  /** Sends one batch; tests replace it to inject a failing producer. */
  send: QueueSender;
  /** How long one `sendBatch` may take; only tests shorten it (through the object's test seam). */
  sendTimeoutMs = OUTBOX_SEND_TIMEOUT_MS;
  private readonly store: EventStore;
  private readonly scheduler: AlarmScheduler;
  private readonly routes: readonly OutboxRoute[];
  private readonly toEnvelope: (event: StoredEvent) => EventEnvelope;
  private readonly hooks: OutboxHooks;
  /** One run at a time; a request made during a run makes it pass again, forced if either was. */
  private readonly sends = new SingleFlight<boolean>({ pass: (force) => this.pass(force), merge: (current, asked) => current || asked });
  /** When the safety alarm this burst of commits asked for is due; undefined once it ran. */
  private safetyDue: number | undefined;
  private backoffUntil = 0;
  /**
   * The queues' cursors, read from storage once and then written through: only this dispatcher
   * moves them, and the object runs one thing at a time, so memory and storage never disagree.
   * Reading them per send cost more CPU than the command itself (docs/performance.md).
   */
  private cursorCache: Map<string, OutboxCursor> | undefined;
  /** Queues whose cursor moved in memory since it was last written (see {@link writeCursors}). */
  private readonly unsaved = new Set<string>();
  /**
   * The newest committed events not yet sent to every queue, enveloped, in version order without
   * a gap and ending at the stream's head: what the commit that wrote them handed over
   * ({@link committed}). A send reads its window from here rather than read back from SQLite what
   * it was just given; anything older, or a wake's backlog, is read from the events table.
   */
  private recent: Outgoing[] = [];

  constructor(options: OutboxDispatcherOptions) {
    this.store = options.store;
    this.scheduler = options.scheduler;
    this.routes = options.routes;
    this.toEnvelope = options.toEnvelope;
    this.send = options.send;
    this.hooks = options.hooks;
  }

  /**
   * Called in the same synchronous turn as the command's `transactionSync`, so the alarm is
   * durable with the events it guards. The commits of a burst share one alarm; while a failed
   * send waits for its retry, that alarm covers them.
   */
  armSafetyAlarm(): void {
    if (this.routes.length === 0 || this.backoffUntil > 0) return;
    const delay = this.routes.some((route) => this.headWaits(route)) ? CATALOG_HEAD_DELAY_MS : OUTBOX_SAFETY_DELAY_MS;
    this.safetyDue = Math.min(this.safetyDue ?? Number.POSITIVE_INFINITY, Date.now() + delay);
    this.scheduler.ensureBy(this.safetyDue);
  }

  /**
   * The envelopes of events the object has just committed (after their transaction succeeded),
   * with their JSON as the command built it. Bounded by one batch's count and bytes: what falls
   * out is read from SQLite when its turn comes.
   */
  committed(envelopes: readonly EventEnvelope[], json: readonly string[]): void {
    if (envelopes.length === 0) return;
    const head = this.recent[this.recent.length - 1]?.envelope.version;
    if (head !== undefined && envelopes[0]!.version !== head + 1) this.recent = [];
    for (const [i, envelope] of envelopes.entries()) this.recent.push({ envelope, bytes: byteLength(json[i]!) });
    let bytes = this.recent.reduce((sum, o) => sum + o.bytes, 0);
    while (this.recent.length > MAX_BATCH_MESSAGES || (this.recent.length > 1 && bytes > MAX_BATCH_BYTES)) bytes -= this.recent.shift()!.bytes;
  }

  /** Whether every queue has been sent every event. */
  isCaughtUp(): boolean {
    const version = this.store.events.version();
    return this.routes.every((route) => this.cursorOf(route.queue).version >= version);
  }

  /**
   * When the outbox needs the alarm: when a failed send's backoff ends, else when this burst's
   * safety alarm is due; at once after a wake that found events unsent (heads included).
   */
  nextDue(): number | undefined {
    if (this.backoffUntil > 0) return this.backoffUntil;
    if (this.safetyDue !== undefined) return this.safetyDue;
    return this.isCaughtUp() ? undefined : Date.now();
  }

  /** The alarm: sends everything pending (the heads that wait for it too), then writes the cursors. */
  async run(): Promise<void> {
    this.safetyDue = undefined;
    await this.dispatch(true);
    this.saveCursors();
  }

  /**
   * Sends whatever is pending; a second call while one runs makes it loop once more. Never throws.
   * While a failed send waits for its retry alarm, new commits do not send: a queue that is down
   * is tried at the backoff's pace, not once per command, so attempts measure time spent failing.
   * `force` (the alarm, a flush) sends regardless.
   */
  dispatch(force = false): Promise<void> {
    if (!force && !this.sends.busy && Date.now() < this.backoffUntil) return Promise.resolve();
    return this.sends.run(force);
  }

  /** One pass over every queue; a failure ends the run and hands the retry to the alarm. */
  private async pass(force: boolean): Promise<PassResult> {
    // A fault outside a send (reading the stream) counts against every queue: retried the same way.
    const failures = await this.sendPending(force).catch((error: unknown) => new Map(this.routes.map((route) => [route, error])));
    if (failures.size === 0) {
      // Caught up, the alarm stays as it is: it fires within OUTBOX_SAFETY_DELAY_MS, finds nothing
      // to send and the scheduler hands it to the object's other jobs. Clearing it here cost two
      // alarm writes per command; the commands of a burst share one safety alarm instead.
      this.backoffUntil = 0;
      return "done";
    }
    const attempts = Math.max(...this.routes.map((route) => this.cursorOf(route.queue).attempts), 1);
    const delay = OUTBOX_BACKOFF.delayMs(attempts);
    for (const [route, error] of failures) this.hooks.onRetry(route, Math.max(this.cursorOf(route.queue).attempts, 1), delay, error);
    this.backoffUntil = Date.now() + delay;
    this.scheduler.rearm();
    return "stop";
  }

  /**
   * Sends every queue what it lacks, one window of events at a time: the window is read and
   * enveloped once for all queues (from the cursor of the queue furthest behind), and each queue
   * sends its own part of it. A queue whose send fails drops out of the run, so it never holds up
   * the others; the failures are returned, and the retry alarm takes it from there.
   */
  private async sendPending(force: boolean): Promise<Map<OutboxRoute, unknown>> {
    const failures = new Map<OutboxRoute, unknown>();
    for (;;) {
      const routes = this.routes.filter((route) => !failures.has(route) && (force || !this.headWaits(route)));
      if (routes.length === 0) break;
      const from = Math.min(...routes.map((route) => this.cursorOf(route.queue).version));
      if (from >= this.store.events.version()) break;
      const window = this.windowAfter(from);
      if (window.length === 0) break;
      const deadline = sendDeadline(this.sendTimeoutMs);
      // allSettled, not all: a failed queue must not end the window while another queue's send is
      // still in flight, or the next dispatch would send that queue the same events again.
      const results = await Promise.allSettled(routes.map((route) => this.sendWindow(route, window, deadline.expired)));
      deadline.clear();
      results.forEach((result, i) => {
        if (result.status === "rejected") failures.set(routes[i]!, result.reason);
      });
      const last = window[window.length - 1]!.envelope.version;
      const behind = routes.some((route) => !failures.has(route) && this.cursorOf(route.queue).version < last);
      if (window.length < MAX_BATCH_MESSAGES && !behind) break;
    }
    const sentToAll = Math.min(...this.routes.map((route) => this.cursorOf(route.queue).version));
    this.recent = this.recent.filter((o) => o.envelope.version > sentToAll);
    return failures;
  }

  /** The events after `from`, at most one batch of them: from {@link recent} when it holds them all. */
  private windowAfter(from: number): Outgoing[] {
    const first = this.recent[0]?.envelope.version;
    const last = this.recent[this.recent.length - 1]?.envelope.version;
    if (first !== undefined && first <= from + 1 && last === this.store.events.version()) {
      return this.recent.filter((o) => o.envelope.version > from);
    }
    return this.store.events.eventsAfter(from, undefined, MAX_BATCH_MESSAGES).map((event): Outgoing => {
      const envelope = this.toEnvelope(event);
      return { envelope, bytes: byteLength(JSON.stringify(envelope)) };
    });
  }

  /** Sends one queue the events of the window past its cursor, or one of them while it is failing. */
  private async sendWindow(route: OutboxRoute, window: readonly Outgoing[], expired: Promise<never>): Promise<void> {
    const cursor = this.cursorOf(route.queue);
    const limit = cursor.attempts >= OUTBOX_ISOLATE_AFTER ? 1 : MAX_BATCH_MESSAGES;
    const pending = withinBatchBytes(window.filter((o) => o.envelope.version > cursor.version).slice(0, limit));
    if (pending.length === 0) return;
    const batch = route.headsOnly ? pending.slice(-1) : pending;
    try {
      await Promise.race([this.send(route, batch), expired]);
    } catch (error) {
      // A failure is written at once: the attempts decide the backoff and when an event is parked.
      const failed = { version: cursor.version, attempts: cursor.attempts + 1 };
      this.store.outbox.saveCursor(route.queue, failed);
      this.setCursor(route.queue, failed);
      this.unsaved.delete(route.queue);
      if (batch.length > 1 || failed.attempts < OUTBOX_MAX_ATTEMPTS) throw error;
      this.park(route, batch[0]!.version, failed.attempts, error);
      return;
    }
    const version = batch[batch.length - 1]!.version;
    this.setCursor(route.queue, { version: Math.max(cursor.version, version), attempts: 0 });
    this.unsaved.add(route.queue);
  }

  /**
   * Writes the cursors that moved since they were last written. A successful send moves its
   * cursor in memory only: writing it there and then was a fifth of a command's CPU (a SQLite
   * commit per queue per command). The object writes them inside its next command's transaction,
   * and after each alarm, which fires within OUTBOX_SAFETY_DELAY_MS of any send. A cursor lost
   * with the object (a crash before either) only means its events are sent again, which is
   * allowed: every subscriber absorbs duplicates.
   */
  writeCursors(): void {
    this.store.outbox.saveCursors([...this.unsaved].map((queue) => [queue, this.cursorOf(queue)] as const));
  }

  /** The cursors {@link writeCursors} wrote were committed. */
  cursorsWritten(): void {
    this.unsaved.clear();
  }

  /** {@link writeCursors} outside a command's transaction (the alarm, a flush). */
  saveCursors(): void {
    this.writeCursors();
    this.cursorsWritten();
  }

  /** A head the catalog can have from the alarm: it already knows the stream. */
  private headWaits(route: OutboxRoute): boolean {
    return route.headsOnly === true && this.cursorOf(route.queue).version > 0;
  }

  private cursorOf(queue: string): OutboxCursor {
    this.cursorCache ??= this.store.outbox.cursors();
    return this.cursorCache.get(queue) ?? NO_CURSOR;
  }

  private setCursor(queue: string, cursor: OutboxCursor): void {
    this.cursorCache ??= this.store.outbox.cursors();
    this.cursorCache.set(queue, cursor);
  }

  private park(route: OutboxRoute, version: number, attempts: number, error: unknown): void {
    const parked: ParkedEvent = {
      queue: route.queue,
      version,
      attempts,
      error: error instanceof Error ? error.message : String(error),
      parkedAt: new Date().toISOString(),
    };
    this.store.outbox.park(parked);
    this.setCursor(route.queue, { version: Math.max(this.cursorOf(route.queue).version, version), attempts: 0 });
    this.unsaved.delete(route.queue);
    this.hooks.onParked(route, parked);
  }
}

const NO_CURSOR: OutboxCursor = { version: 0, attempts: 0 };

/**
 * One timeout for every send of a window, not one per send: a timer per send was a measurable
 * share of a command's CPU. `expired` rejects when the window's sends have had `ms`.
 */
function sendDeadline(ms: number): { expired: Promise<never>; clear(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`a queue send did not answer within ${ms} ms`)), ms);
  });
  // Nobody may be listening when it fires after every send settled: never an unhandled rejection.
  expired.catch(() => undefined);
  return {
    expired,
    clear: () => {
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

/** The longest prefix of `items` within one batch's bytes (a first item larger than that travels alone). */
function withinBatchBytes(items: readonly Outgoing[]): EventEnvelope[] {
  let bytes = 0;
  const batch: EventEnvelope[] = [];
  for (const item of items) {
    bytes += item.bytes;
    if (batch.length > 0 && bytes > MAX_BATCH_BYTES) break;
    batch.push(item.envelope);
  }
  return batch;
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
