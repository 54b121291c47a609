import type { AggregateClient } from "../aggregate-client/index.js";
import type { Projection } from "../projection/index.js";
import type { LiveRebuildOf, RebuildCheck, ShadowWrites } from "./projection-runner.js";

/** Messages of a projection's queue that are its queue work's, not events. */
export interface ProjectionWorkBatch {
  readonly projection: Projection;
  readonly messages: readonly Message<unknown>[];
  readonly db: D1Database;
  readonly aggregates: AggregateClient;
  readonly env: object;
}

/**
 * Work a projection's queue carries besides events (a rebuild's messages), plugged in by the
 * runtime so this module does not depend on it.
 */
export interface ProjectionQueueWork {
  /** Whether a message body is this work's rather than an event envelope. */
  owns(body: unknown): boolean;
  /** Runs after the batch's events; settles every message it is given. */
  run(batch: ProjectionWorkBatch): Promise<void>;
  /** Runs before each batch of the projection's events; must be cheap after its first call in a runtime, and never throw. */
  beforeBatch(projection: Projection, db: D1Database, env: object): Promise<void>;
  /**
   * Runs after each batch's events were applied, told whether the batch took up a stream the
   * projection had no checkpoint for; must cost nothing otherwise, and never throw.
   */
  afterBatch(projection: Projection, db: D1Database, startedStreams: boolean): Promise<void>;
  /** The projection's running rebuild, if any, asked at the start of each batch; from memory unless `trustMemory` is false (see {@link RebuildCheck}). */
  runningRebuild(projection: Projection, db: D1Database, trustMemory: boolean): Promise<RebuildCheck>;
  /** Where the batch's live events go as well while `rebuildId` runs (its shadow tables). */
  shadowWrites(projection: Projection, db: D1Database, rebuildId: string, streamIds: readonly string[]): Promise<ShadowWrites>;
}

/**
 * Asks at once whether a rebuild runs, so that a read it needs overlaps the batch's checkpoint
 * read instead of following it; the answer is awaited only when the batch has events to apply.
 */
export function rebuildOfBatch(work: ProjectionQueueWork, projection: Projection, db: D1Database): LiveRebuildOf {
  const first = work.runningRebuild(projection, db, true);
  // Awaited below when needed; a batch with nothing to apply must not leave it unhandled.
  first.catch(() => undefined);
  return async (streamIds, trustMemory) => {
    const { rebuildId, guard } = await (trustMemory ? first : work.runningRebuild(projection, db, false));
    return { writes: rebuildId === undefined ? undefined : await work.shadowWrites(projection, db, rebuildId, streamIds), guard };
  };
}
