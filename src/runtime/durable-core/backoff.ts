/** How long to wait before retry number `attempt` (1 for the first retry). */
export interface BackoffOptions {
  /** The first retry's delay. */
  readonly baseMs: number;
  /** No retry waits longer than this. */
  readonly maxMs: number;
}

/**
 * Exponential backoff: `baseMs` before the first retry, doubling with each failure in a row, never
 * more than `maxMs`. Every retry loop of the runtime (the outbox's sends, a process manager's
 * commands and timers, projector and dead-letter messages) takes its pace from one of these.
 *
 * @example
 * const backoff = new Backoff({ baseMs: 1_000, maxMs: 60_000 });
 * backoff.delayMs(1); // 1000
 * backoff.delayMs(3); // 4000
 * backoff.delayMs(30); // 60000
 */
export class Backoff {
  constructor(readonly options: BackoffOptions) {
    if (!(options.baseMs > 0) || !(options.maxMs >= options.baseMs)) {
      throw new Error(`backoff needs 0 < baseMs <= maxMs, got ${options.baseMs} and ${options.maxMs}`);
    }
  }

  /** The delay before retry number `attempt`; an attempt below 1 counts as the first. */
  delayMs(attempt: number): number {
    const doublings = Math.max(0, Math.floor(attempt) - 1);
    // 2 ** 1024 is Infinity: past the cap long before that, so the cap answers.
    if (doublings >= 53) return this.options.maxMs;
    return Math.min(this.options.baseMs * 2 ** doublings, this.options.maxMs);
  }

  /** {@link delayMs} in whole seconds, rounded up: what a queue message's `retry({ delaySeconds })` takes. */
  delaySeconds(attempt: number): number {
    return Math.ceil(this.delayMs(attempt) / 1_000);
  }
}
