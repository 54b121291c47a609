import type { Projection } from "../projection/index.js";
import type { RebuildCheck, ShadowWrites } from "../projector/index.js";
import { describeError } from "../observability/index.js";
import type { RebuildMemory } from "../runtime-context/index.js";
import { failRebuild } from "./rebuild-state.js";
import { advanceShadowCheckpoint, shadowCheckpoints } from "./shadow-checkpoints.js";
import { shadowDatabase } from "./shadow-tables.js";

/**
 * The rebuild of `projection` running now, if any. A projection that declares no tables cannot be
 * rebuilt and reads nothing. One this runtime last found idle (`memory`) is assumed idle still,
 * without a read: its batch carries a guard instead, which aborts it should a rebuild have started
 * since (and the runner then asks again with `trustMemory` false, which reads).
 */
export async function runningRebuild(memory: RebuildMemory, projection: Projection, db: D1Database, trustMemory: boolean): Promise<RebuildCheck> {
  if (projection.tables.length === 0) return { rebuildId: undefined, guard: undefined };
  if (trustMemory && memory.isIdle(projection.database, projection.name)) return { rebuildId: undefined, guard: abortIfRebuilding(db, projection.name) };
  const running = await db
    .prepare("SELECT rebuild_id FROM projection_state WHERE projection = ? AND state = 'rebuilding'")
    .bind(projection.name)
    .first<{ rebuild_id: string }>();
  memory.found(projection.database, projection.name, running !== null);
  return { rebuildId: running?.rebuild_id, guard: undefined };
}

/** Fails (a checkpoint of -1, which the table's CHECK refuses) when a rebuild of `projection` runs. */
function abortIfRebuilding(db: D1Database, projection: string): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO projection_checkpoints (projection, stream_id, version)
       SELECT ?1, '', -1 WHERE EXISTS (SELECT 1 FROM projection_state WHERE projection = ?1 AND state = 'rebuilding')`,
    )
    .bind(projection);
}

/**
 * While `projection` is rebuilt (by `rebuildId`), a live batch's events also go to the shadow
 * tables of every stream whose shadow is level with (or ahead of, within the run) the live view:
 * in the same D1 transaction as the live change, behind a guarded shadow checkpoint. A stream
 * whose job already caught up thus stays caught up under traffic, and the switch is not chased by
 * live events. A stream whose shadow is behind is left to its job.
 */
export async function liveShadowWrites(projection: Projection, db: D1Database, rebuildId: string, streamIds: readonly string[]): Promise<ShadowWrites> {
  const levels = await shadowCheckpoints(db, rebuildId, streamIds);
  const shadow = shadowDatabase(db, projection.tables);
  let failure: string | undefined;
  return {
    statementsFor(work, { events, from, to }) {
      const level = levels.get(work.streamId) ?? 0;
      if (failure !== undefined || level < from || level >= to) return [];
      try {
        const statements = [
          advanceShadowCheckpoint({ db, projection: projection.name, rebuildId, streamId: work.streamId, expected: level, next: to, caughtUp: null }),
          ...events.filter((e) => e.version > level).flatMap((e) => projection.statementsFor(e, { db: shadow })),
        ];
        levels.set(work.streamId, to);
        return statements;
      } catch (error) {
        failure = `a handler threw on a live event of ${work.streamId}: ${describeError(error)}`;
        return [];
      }
    },
    async settle() {
      if (failure !== undefined) await failRebuild(db, projection, rebuildId, failure);
    },
  };
}
