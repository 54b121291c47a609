import { HttpError } from "../errors/index.js";
import { newId } from "../ids/index.js";
import { describeError, writeLog } from "../observability/index.js";
import type { Projection } from "../projection/index.js";
import type { RebuildQueue } from "./rebuild-messages.js";
import { failRebuild } from "./rebuild-state.js";
import { createShadows, liveSchema } from "./shadow-tables.js";

/** Why a rebuild starts: an operator asked, a deploy bumped the version, or a new projection backfills. */
export type RebuildCause = "requested" | "version" | "new";

/**
 * Starts a rebuild of `projection`: records it as running (only if none runs; a start caused by a
 * version only if the stored version is still below the declared one, so isolates racing to start
 * it start it once), creates fresh shadow tables from the live DDL, and sends the first step to
 * the projection's queue. Bounded work: a few statements per declared table and one send.
 * Returns the rebuild's id, or null when another start won.
 */
export async function startRebuild(projection: Projection, db: D1Database, queue: RebuildQueue, cause: RebuildCause): Promise<string | null> {
  if (projection.tables.length === 0) {
    throw new HttpError(409, "not_rebuildable", `projection ${projection.name} declares no tables, so it cannot be rebuilt: add \`tables\` to its definition`);
  }
  const schema = await liveSchema(db, projection.tables).catch((error: unknown) => {
    throw new HttpError(409, "not_rebuildable", `projection ${projection.name}: ${describeError(error)}`);
  });
  const rebuildId = newId();
  const now = new Date().toISOString();
  const onlyIfOlder = cause === "requested" ? "" : "AND projection_state.version < excluded.target_version";
  const [started] = await db.batch([
    db
      .prepare(
        `INSERT INTO projection_state (projection, version, state, rebuild_id, target_version, plan_cursor, planned, total, started_at, touched_at)
         VALUES (?1, 0, 'rebuilding', ?2, ?3, NULL, 0,
           (SELECT COUNT(*) FROM stream_catalog WHERE aggregate IN (SELECT value FROM json_each(?4))), ?5, ?5)
         ON CONFLICT (projection) DO UPDATE SET state = 'rebuilding', rebuild_id = excluded.rebuild_id,
           target_version = excluded.target_version, plan_cursor = NULL, planned = 0, total = excluded.total,
           started_at = excluded.started_at, touched_at = excluded.touched_at, failed_at = NULL, reason = NULL
         WHERE projection_state.state <> 'rebuilding' ${onlyIfOlder}`,
      )
      .bind(projection.name, rebuildId, projection.version, JSON.stringify(projection.aggregates), now),
  ]);
  if ((started?.meta.changes ?? 0) === 0) return null;
  try {
    await db.batch(createShadows(db, schema));
  } catch (error) {
    await failRebuild(db, projection, rebuildId, `creating the shadow tables failed: ${describeError(error)}`);
    return rebuildId;
  }
  // A lost send is recovered by the cron trigger, which resumes a rebuild whose steps stopped.
  await queue.send({ rebuild: "step", rebuildId });
  writeLog("info", {
    event: "rebuild.started",
    msg: `${projection.name}: rebuild ${rebuildId} started (${cause}, view version ${projection.version})`,
    projection: projection.name,
    rebuildId,
    cause,
    version: projection.version,
  });
  return rebuildId;
}
