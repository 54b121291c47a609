/**
 * How soon an object's alarm comes back after a commit whose follow-up (sending events or
 * commands) it could not see through: an eviction or crash between the commit and the send is
 * healed this soon, and a burst of commits shares one alarm instead of writing one each.
 */
export const SAFETY_ALARM_DELAY_MS = 5_000;

/** One job sharing its object's single alarm: when it next needs to run, and what it then does. */
export interface AlarmJob {
  /** For log lines and errors. */
  readonly name: string;
  /** When the job next needs to run (ms since the epoch), or undefined when it waits for nothing. Cheap: called on every re-arm. */
  nextDue(): number | undefined;
  /**
   * Does the job's due work. Called on every firing while {@link nextDue} names a time, which may
   * be before that time: another job's deadline came first, the platform retried the alarm, or a
   * test ran it early (`runDurableObjectAlarm`). A job checks what is really due at `now`.
   */
  run(now: number): Promise<void>;
}

/** What the scheduler needs of Durable Object storage. */
export type AlarmStorage = Pick<DurableObjectStorage, "setAlarm" | "deleteAlarm">;

/** What this wake knows of the stored alarm: set by it for a time, cleared, or unknown (set by an earlier wake, or not). */
type Armed = { readonly at: number } | "none" | "unknown";

/**
 * Merges every job's deadline into the object's one alarm (a Durable Object has a single alarm:
 * https://developers.cloudflare.com/durable-objects/api/alarms/). Jobs say when they are due; the
 * scheduler keeps the alarm at the earliest of them, never below now, and on firing runs every job
 * that waits for something, then re-arms for what remains.
 *
 * The alarm is written only when it must move: {@link ensureBy} lowers it and never raises it, so
 * the commits of a burst share one alarm write; an alarm that fires earlier than some job needs
 * costs that job one look at what is due.
 */
export class AlarmScheduler {
  private readonly jobs: AlarmJob[] = [];
  private armed: Armed = "unknown";

  constructor(private readonly storage: AlarmStorage) {}

  /** Adds a job; its deadlines count from the next re-arm on. */
  register(job: AlarmJob): void {
    this.jobs.push(job);
  }

  /**
   * Makes sure the alarm fires by `at`: sets it when this wake has not set one as early. Call it in
   * the same synchronous turn as the writes it guards: Durable Object storage commits a turn's
   * writes together, so the alarm is durable with them (automatic write coalescing:
   * https://developers.cloudflare.com/durable-objects/api/storage-api/).
   */
  ensureBy(at: number): void {
    if (typeof this.armed === "object" && this.armed.at <= at) return;
    this.set(at);
  }

  /** Sets the alarm for the earliest due job, or clears it when none waits. */
  rearm(): void {
    const next = this.earliestDue();
    if (next === undefined) {
      if (this.armed === "none") return;
      this.armed = "none";
      void this.storage.deleteAlarm();
      return;
    }
    if (typeof this.armed === "object" && this.armed.at === next) return;
    this.set(next);
  }

  /** The alarm fired (the platform cleared it): runs every waiting job in registration order, then re-arms. */
  async fire(): Promise<void> {
    this.armed = "none";
    const now = Date.now();
    try {
      for (const job of this.jobs) {
        if (job.nextDue() !== undefined) await job.run(now);
      }
    } finally {
      // A job that threw still leaves the others' deadlines armed; the platform retries the alarm too.
      this.rearm();
    }
  }

  /** When the earliest job is due; undefined when none waits. */
  earliestDue(): number | undefined {
    let next: number | undefined;
    for (const job of this.jobs) {
      const due = job.nextDue();
      if (due !== undefined && (next === undefined || due < next)) next = due;
    }
    return next;
  }

  /**
   * Never below now: workerd does not run an alarm set at or before the epoch, so a deadline in
   * the distant past (a timer for 1970, or year 1) would never fire and would hold back every
   * later job of the object. A time in the past fires at once.
   */
  private set(at: number): void {
    this.armed = { at };
    void this.storage.setAlarm(Math.max(at, Date.now()));
  }
}
