/**
 * Checkpoints this runtime's projections committed to D1, the most recent few thousand: read by
 * consistency waits, and by the projections themselves, which plan their next batch on a stream
 * from here instead of reading its checkpoint (their guarded write catches a stale entry).
 *
 * A request waiting on a consistency token polls D1 on a schedule that keeps its reads bounded,
 * so a view that is ready between two polls is seen late. When the projection that applies the
 * write runs in the same isolate as the waiting request (always under `wrangler dev`, sometimes
 * in production, where one Worker may serve both), the waiter learns of the commit from here, at
 * once and without a read. It is a shortcut, never the authority: whatever is not here (another
 * isolate or another runtime applied it, or it was forgotten) is read from D1 as before.
 *
 * Only commits are recorded, after their D1 batch succeeded: a recorded version is one D1 holds,
 * since checkpoints never move back (a rebuild's switch only moves them forward). Wiping the read
 * side (`edge-cqrs reset`) is done with the Worker stopped, which empties this memory too.
 * Keys name the D1 binding as well as the projection, because two databases may hold checkpoints
 * for projections of the same name; within one isolate, one binding is one database.
 */

/** Enough for every stream a busy isolate touched in the last seconds; older entries only cost a read. */
export const MAX_REMEMBERED_CHECKPOINTS = 10_000;

/** One stream's committed checkpoint. */
export interface CommittedMove {
  readonly streamId: string;
  readonly version: number;
}

const keyOf = (database: string, projection: string, streamId: string) => `${database}\u0000${projection}\u0000${streamId}`;

/** The committed checkpoints one runtime remembers; each runtime has its own (RuntimeContext). */
export class CommittedCheckpoints {
  // A Map's order is insertion order: entries are re-inserted on use, so the first is the oldest.
  private readonly committed = new Map<string, number>();

  /** Records checkpoints a committed D1 batch moved. */
  remember(database: string, projection: string, moves: readonly CommittedMove[]): void {
    for (const { streamId, version } of moves) {
      const key = keyOf(database, projection, streamId);
      const known = this.committed.get(key) ?? 0;
      this.committed.delete(key);
      this.committed.set(key, Math.max(known, version));
    }
    while (this.committed.size > MAX_REMEMBERED_CHECKPOINTS) this.committed.delete(this.committed.keys().next().value!);
  }

  /** The highest version this runtime committed for the stream, if it remembers one. */
  version(database: string, projection: string, streamId: string): number | undefined {
    return this.committed.get(keyOf(database, projection, streamId));
  }

  /** Forgets streams whose remembered checkpoint proved stale (another isolate moved it). */
  forget(database: string, projection: string, streamIds: readonly string[]): void {
    for (const streamId of streamIds) this.committed.delete(keyOf(database, projection, streamId));
  }

  /**
   * Forgets everything. Checkpoints only move forward while a Worker runs; whoever wipes them with
   * the runtime alive (a test resetting the read model between trials) must call this as well.
   */
  forgetAll(): void {
    this.committed.clear();
  }
}
