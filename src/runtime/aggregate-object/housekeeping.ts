import type { EventStore, ParkedEvent } from "../event-store/index.js";
import { OUTBOX_RETRY_MAX_MS, reportParked, type OutboxRoute } from "../outbox/index.js";
import { COMMAND_LOG_PRUNE_AGAIN_MS, COMMAND_LOG_PRUNE_ROWS, pruneCutoff, pruneDueAt } from "./command-log.js";
import { envelopeOf, type StreamIdentity } from "./envelope-of.js";

/** Parked events reported to D1 per alarm: bounds the alarm's subrequests. */
const PARKED_REPORTS_PER_ALARM = 10;

/**
 * The object's own jobs on its alarm, besides the outbox: pruning the command log past its
 * retention window, and recording parked events in their subscribers' D1. The alarm is one per
 * object and shared with the outbox, which owns it while it has something to send; this sets it
 * only when the outbox hands it back.
 */
export class Housekeeping {
  /** Whether this wake already set the alarm for the next prune. */
  armed = false;

  constructor(
    private readonly store: EventStore,
    private readonly storage: DurableObjectStorage,
    private readonly env: object,
  ) {}

  /**
   * Sets the alarm for the next job: when the oldest command leaves the window, sooner when
   * `at` asks or a parked event still has to be reported; deletes it when there is none.
   */
  arm(at?: number): void {
    this.armed = true;
    const oldest = this.store.oldestCommandAt();
    const dues = [at, oldest === undefined ? undefined : pruneDueAt(oldest)];
    if (this.store.unreportedParked(1).length > 0) dues.push(Date.now() + OUTBOX_RETRY_MAX_MS);
    const next = Math.min(...dues.filter((d): d is number => d !== undefined));
    if (Number.isFinite(next)) void this.storage.setAlarm(next);
    else void this.storage.deleteAlarm();
  }

  /** One alarm's work, bounded; returns when the next alarm is due early (more left to prune). */
  async run(stream: StreamIdentity, routes: readonly OutboxRoute[]): Promise<number | undefined> {
    const pruned = this.store.pruneCommands(pruneCutoff(Date.now()), COMMAND_LOG_PRUNE_ROWS);
    for (const parked of this.store.unreportedParked(PARKED_REPORTS_PER_ALARM)) await this.report(stream, routes, parked);
    return pruned === COMMAND_LOG_PRUNE_ROWS ? Date.now() + COMMAND_LOG_PRUNE_AGAIN_MS : undefined;
  }

  /** Records a parked event in its subscriber's D1; a failure is retried from the alarm. */
  async report(stream: StreamIdentity, routes: readonly OutboxRoute[], parked: ParkedEvent): Promise<void> {
    const route = routes.find((r) => r.queue === parked.queue);
    const [event] = this.store.eventsAfter(parked.version - 1, parked.version, 1);
    if (!route || !event) return this.store.markReported(parked.queue, parked.version);
    try {
      await reportParked(this.env, route, parked, envelopeOf(stream, event));
      this.store.markReported(parked.queue, parked.version);
    } catch (error) {
      console.error(`outbox: could not record parked ${stream.streamId}@${parked.version} for ${parked.queue}:`, error);
    }
  }
}
