/** What one pass of a {@link SingleFlight} reports: go on if asked again, or stop here. */
export type PassResult = "done" | "stop";

/**
 * One run at a time, and another pass if asked while it ran. A Durable Object's outbox is asked to
 * send after every commit, on its alarm and on wake; those requests must not start overlapping
 * sends (the same events would go twice and cursors would race), nor be lost (a commit made while
 * a send was in flight must still go out). A request that arrives during a run is remembered and
 * merged with any other such request, and the run makes one more pass with it, unless the pass
 * reported `stop` (a failure whose retry is the alarm's, at the backoff's pace).
 *
 * @example
 * const sends = new SingleFlight<boolean>({ pass: (force) => sendPending(force), merge: (a, b) => a || b });
 * void sends.run(false); // after a commit
 * await sends.run(true); // the alarm: joins the run in flight, which passes once more, forced
 */
export class SingleFlight<R> {
  private running: Promise<void> | undefined;
  private pending: { readonly request: R } | undefined;

  constructor(
    private readonly options: {
      /** One pass over whatever is pending. Must not throw; report `stop` to end the run. */
      readonly pass: (request: R) => Promise<PassResult>;
      /** Two requests as one: the next pass's request from the current one and what was asked meanwhile. */
      readonly merge: (current: R, asked: R) => R;
    },
  ) {}

  /** Whether a run is in flight. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Starts a run, or asks the one in flight for another pass; resolves when that run ends. */
  run(request: R): Promise<void> {
    if (this.running) {
      this.pending = { request: this.pending ? this.options.merge(this.pending.request, request) : request };
      return this.running;
    }
    this.running = this.loop(request).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async loop(first: R): Promise<void> {
    let request = first;
    for (;;) {
      this.pending = undefined;
      const result = await this.options.pass(request);
      const asked = this.takePending();
      if (result === "stop" || asked === undefined) return;
      request = this.options.merge(request, asked.request);
    }
  }

  /** What was asked while the pass ran, cleared. */
  private takePending(): { readonly request: R } | undefined {
    const asked = this.pending;
    this.pending = undefined;
    return asked;
  }
}
