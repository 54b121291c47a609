import type { EventStore, ParkedEvent } from "../event-store/index.js";
import { describeError, writeLog } from "../observability/index.js";
import { OUTBOX_RETRY_MAX_MS, reportParked, type OutboxRoute } from "../outbox/index.js";
import { COMMAND_LOG_PRUNE_AGAIN_MS, COMMAND_LOG_PRUNE_ROWS, pruneCutoff, pruneDueAt } from "./command-log.js";
import { envelopeOf, type StreamIdentity } from "./envelope-of.js";

/** Parked events reported to D1 per alarm: bounds the alarm's subrequests. */
const PARKED_REPORTS_PER_ALARM = 10;

/** What {@link Housekeeping} has not asked SQLite yet. */
const UNKNOWN = Symbol("unknown");

/**
 * The object's own jobs on its alarm, besides the outbox: pruning the command log past its
 * retention window, and recording parked events in their subscribers' D1. The alarm is one per
 * object and shared with the outbox, which owns it while it has something to send; this sets it
 * only when the outbox hands it back.
 */
export class Housekeeping {
  /** Whether this wake already set the alarm for the next prune. */
  armed = false;
  /**
   * When the oldest command in the log was recorded (undefined: the log is empty), once known.
   * Only a prune, or the first command of an empty log, changes it, so most alarms need not ask
   * SQLite. `unknown` until asked, or again after a prune.
   */
  private oldest: string | undefined | typeof UNKNOWN;
  /** Whether a parked event may still wait to be reported: `unknown` until asked; only the outbox parks. */
  private unreported: boolean | typeof UNKNOWN;

  constructor(
    private readonly store: EventStore,
    private readonly storage: DurableObjectStorage,
    private readonly env: object,
  ) {
    // An object that holds nothing yet has neither: a new aggregate's alarms ask SQLite nothing.
    const empty = store.isEmpty();
    this.oldest = empty ? undefined : UNKNOWN;
    this.unreported = empty ? false : UNKNOWN;
  }

  /** A command was written to the log at `recordedAt` (ISO-8601). */
  recorded(recordedAt: string): void {
    if (this.oldest === undefined) this.oldest = recordedAt;
  }

  /** The outbox parked an event: it has to be reported. */
  parked(): void {
    this.unreported = true;
  }

  /**
   * Sets the alarm for the next job: when the oldest command leaves the window (not before
   * `pruneAgainAt` when the last prune left more), sooner when a parked event still has to be
   * reported; deletes it when there is none.
   */
  arm(pruneAgainAt?: number): void {
    this.armed = true;
    const oldest = this.oldestCommandAt();
    const dues = [oldest === undefined ? undefined : Math.max(pruneDueAt(oldest), pruneAgainAt ?? 0)];
    if (this.mayHaveUnreported()) dues.push(Date.now() + OUTBOX_RETRY_MAX_MS);
    const next = Math.min(...dues.filter((d): d is number => d !== undefined));
    if (Number.isFinite(next)) void this.storage.setAlarm(next);
    else void this.storage.deleteAlarm();
  }

  /** One alarm's work, bounded; returns when the next alarm is due early (more left to prune). */
  async run(stream: StreamIdentity, routes: readonly OutboxRoute[]): Promise<number | undefined> {
    const oldest = this.oldestCommandAt();
    let pruned = 0;
    if (oldest !== undefined && pruneDueAt(oldest) <= Date.now()) {
      pruned = this.store.pruneCommands(pruneCutoff(Date.now()), COMMAND_LOG_PRUNE_ROWS);
      this.oldest = UNKNOWN;
    }
    if (this.unreported !== false) {
      const waiting = this.store.unreportedParked(PARKED_REPORTS_PER_ALARM);
      for (const parked of waiting) await this.report(stream, routes, parked);
      // A report can fail and leave its event waiting: ask again when it matters.
      this.unreported = waiting.length === 0 ? false : UNKNOWN;
    }
    return pruned === COMMAND_LOG_PRUNE_ROWS ? Date.now() + COMMAND_LOG_PRUNE_AGAIN_MS : undefined;
  }

  private oldestCommandAt(): string | undefined {
    if (this.oldest === UNKNOWN) this.oldest = this.store.oldestCommandAt();
    return this.oldest;
  }

  private mayHaveUnreported(): boolean {
    if (this.unreported === UNKNOWN) this.unreported = this.store.unreportedParked(1).length > 0;
    return this.unreported;
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
      const text = describeError(error);
      writeLog("error", {
        event: "outbox.parked-report-failed",
        msg: `outbox: could not record parked ${stream.streamId}@${parked.version} for ${parked.queue}: ${text}`,
        aggregate: stream.aggregate.name,
        streamId: stream.streamId,
        queue: parked.queue,
        version: parked.version,
        error: text,
      });
    }
  }
}
