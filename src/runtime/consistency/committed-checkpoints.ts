/**
 * Checkpoints this isolate's projections committed to D1, the most recent few thousand: read by
 * consistency waits, and by the projections themselves, which plan their next batch on a stream
 * from here instead of reading its checkpoint (their guarded write catches a stale entry).
 *
 * A request waiting on a consistency token polls D1 on a schedule that keeps its reads bounded,
 * so a view that is ready between two polls is seen late. When the projection that applies the
 * write runs in the same isolate as the waiting request (always under `wrangler dev`, sometimes
 * in production, where one Worker may serve both), the waiter learns of the commit from here, at
 * once and without a read. It is a shortcut, never the authority: whatever is not here (another
 * isolate applied it, or it was forgotten) is read from D1 as before.
 *
 * Only commits are recorded, after their D1 batch succeeded: a recorded version is one D1 holds,
 * since checkpoints never move back (a rebuild's switch only moves them forward). Wiping the read
 * side (`edge-cqrs reset`) is done with the Worker stopped, which empties this memory too.
 * Keys name the D1 binding as well as the projection, because two databases may hold checkpoints
 * for projections of the same name; within one isolate, one binding is one database.
 */

/** Enough for every stream a busy isolate touched in the last seconds; older entries only cost a read. */
export const MAX_REMEMBERED_CHECKPOINTS = 10_000;

const committed = new Map<string, number>();

const keyOf = (database: string, projection: string, streamId: string) => `${database}\u0000${projection}\u0000${streamId}`;

/** Records checkpoints a committed D1 batch moved. */
export function rememberCommitted(database: string, projection: string, moves: readonly { readonly streamId: string; readonly version: number }[]): void {
  for (const { streamId, version } of moves) {
    const key = keyOf(database, projection, streamId);
    const known = committed.get(key) ?? 0;
    // Re-inserted so the Map's order is recency: the oldest entry is the first one.
    committed.delete(key);
    committed.set(key, Math.max(known, version));
  }
  while (committed.size > MAX_REMEMBERED_CHECKPOINTS) committed.delete(committed.keys().next().value!);
}

/** The highest version this isolate committed for the stream, if it remembers one. */
export function committedVersion(database: string, projection: string, streamId: string): number | undefined {
  return committed.get(keyOf(database, projection, streamId));
}

/** Forgets streams whose remembered checkpoint proved stale (another isolate moved it). */
export function forgetCommitted(database: string, projection: string, streamIds: readonly string[]): void {
  for (const streamId of streamIds) committed.delete(keyOf(database, projection, streamId));
}

/**
 * Forgets everything. Checkpoints only move forward while a Worker runs; whoever wipes them with
 * the isolate alive (a test resetting the read model between trials) must call this as well.
 */
export function forgetAllCommitted(): void {
  committed.clear();
}
