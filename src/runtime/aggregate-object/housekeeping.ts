import type { AlarmJob } from "../durable-core/index.js";
import type { EventStore, ParkedEvent } from "../event-store/index.js";
import { describeError, writeLog } from "../observability/index.js";
import { OUTBOX_RETRY_MAX_MS, reportParked, type OutboxRoute } from "../outbox/index.js";
import type { RuntimeTables } from "../runtime-tables/index.js";
import { COMMAND_LOG_PRUNE_AGAIN_MS, COMMAND_LOG_PRUNE_ROWS, pruneCutoff, pruneDueAt } from "./command-log.js";
import { envelopeOf, type StreamIdentity } from "./envelope-of.js";

/** Parked events reported to D1 per alarm: bounds the alarm's subrequests. */
const PARKED_REPORTS_PER_ALARM = 10;
/** A parked event whose report failed is reported again this soon (as often as the outbox retries at most). */
const PARKED_REPORT_RETRY_MS = OUTBOX_RETRY_MAX_MS;

/** What {@link Housekeeping} has not asked SQLite yet. */
const UNKNOWN = Symbol("unknown");

/** The stream the object hosts and its queues, once it hosts one. */
export type HostedRoutes = () => { readonly stream: StreamIdentity; readonly routes: readonly OutboxRoute[] } | undefined;

/** What {@link Housekeeping} works on. */
export interface HousekeepingOptions {
  readonly store: EventStore;
  /** The Worker's env: the subscribers' D1 databases parked events are reported to. */
  readonly env: object;
  /** The runtime's memory of which of those databases hold current runtime tables. */
  readonly tables: RuntimeTables;
  readonly hosted: HostedRoutes;
}

/**
 * The object's own jobs on its alarm, besides the outbox: pruning the command log past its
 * retention window, and recording parked events in their subscribers' D1. Due when the oldest
 * command leaves the window, or when a parked event still waits to be reported.
 */
export class Housekeeping implements AlarmJob {
  readonly name = "housekeeping";
  /**
   * When the oldest command in the log was recorded (undefined: the log is empty), once known.
   * Only a prune, or the first command of an empty log, changes it, so most alarms need not ask
   * SQLite. `unknown` until asked, or again after a prune.
   */
  private oldest: string | undefined | typeof UNKNOWN;
  /** Whether a parked event may still wait to be reported: `unknown` until asked; only the outbox parks. */
  private unreported: boolean | typeof UNKNOWN;
  /** A prune that left rows behind comes back this soon rather than at the next command's window. */
  private pruneAgainAt: number | undefined;
  /** When waiting reports are next tried, once something waits. */
  private reportDue: number | undefined;

  private readonly store: EventStore;
  private readonly env: object;
  private readonly tables: RuntimeTables;
  private readonly hosted: HostedRoutes;

  constructor(options: HousekeepingOptions) {
    this.store = options.store;
    this.env = options.env;
    this.tables = options.tables;
    this.hosted = options.hosted;
    // An object that holds nothing yet has neither: a new aggregate's alarms ask SQLite nothing.
    const empty = this.store.isEmpty();
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

  /** When the oldest command leaves the window (not before a prune's `again`), sooner when a parked event still has to be reported. */
  nextDue(): number | undefined {
    const oldest = this.oldestCommandAt();
    let next = oldest === undefined ? undefined : Math.max(pruneDueAt(oldest), this.pruneAgainAt ?? 0);
    if (this.mayHaveUnreported()) {
      this.reportDue ??= Date.now() + PARKED_REPORT_RETRY_MS;
      next = next === undefined ? this.reportDue : Math.min(next, this.reportDue);
    }
    return next;
  }

  /** One alarm's work, bounded: a prune of at most COMMAND_LOG_PRUNE_ROWS, and a few reports. */
  async run(now: number): Promise<void> {
    const oldest = this.oldestCommandAt();
    this.pruneAgainAt = undefined;
    if (oldest !== undefined && pruneDueAt(oldest) <= now) {
      const pruned = this.store.commands.prune(pruneCutoff(now), COMMAND_LOG_PRUNE_ROWS);
      this.oldest = UNKNOWN;
      if (pruned === COMMAND_LOG_PRUNE_ROWS) this.pruneAgainAt = now + COMMAND_LOG_PRUNE_AGAIN_MS;
    }
    const hosted = this.hosted();
    if (this.unreported !== false && hosted) {
      this.reportDue = undefined;
      const waiting = this.store.outbox.unreported(PARKED_REPORTS_PER_ALARM);
      for (const parked of waiting) await this.report(hosted.stream, hosted.routes, parked);
      // A report can fail and leave its event waiting: ask again when it matters.
      this.unreported = waiting.length === 0 ? false : UNKNOWN;
    }
  }

  private oldestCommandAt(): string | undefined {
    if (this.oldest === UNKNOWN) this.oldest = this.store.commands.oldestAt();
    return this.oldest;
  }

  private mayHaveUnreported(): boolean {
    if (this.unreported === UNKNOWN) this.unreported = this.store.outbox.unreported(1).length > 0;
    return this.unreported;
  }

  /** Records a parked event in its subscriber's D1; a failure is retried from the alarm. */
  async report(stream: StreamIdentity, routes: readonly OutboxRoute[], parked: ParkedEvent): Promise<void> {
    const route = routes.find((r) => r.queue === parked.queue);
    const [event] = this.store.events.eventsAfter(parked.version - 1, parked.version, 1);
    if (!route || !event) return this.store.outbox.markReported(parked.queue, parked.version);
    try {
      await reportParked({ env: this.env, tables: this.tables, route, parked, envelope: envelopeOf(stream, event) });
      this.store.outbox.markReported(parked.queue, parked.version);
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
