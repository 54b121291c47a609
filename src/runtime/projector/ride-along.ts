import { reportLagNotRecorded } from "./checkpoints.js";

/**
 * A statement that rides along with the first D1 batch of an invocation that commits (the batch's
 * lag record), so it costs no round trip of its own; written alone only when nothing committed.
 * Batches of one invocation may run at once: only one carries it at a time, so it is written once.
 */
export class RideAlong {
  private aboard = false;

  constructor(private statement: D1PreparedStatement | undefined) {}

  /** Runs `write` on `statements`, with the statement added unless it already rode or rides on another batch now. */
  async carry<T>(statements: D1PreparedStatement[], write: (statements: D1PreparedStatement[]) => Promise<T>): Promise<T> {
    if (!this.statement || this.aboard) return write(statements);
    this.aboard = true;
    try {
      const result = await write([...statements, this.statement]);
      this.statement = undefined;
      return result;
    } finally {
      this.aboard = false;
    }
  }

  /** Best effort, like the record it carries. */
  async alone(subscriber: string): Promise<void> {
    await this.statement?.run().catch((e: unknown) => reportLagNotRecorded(subscriber, e));
  }
}
