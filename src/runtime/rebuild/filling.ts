import { writeLog } from "../observability/index.js";
import type { Projection } from "../projection/index.js";

/**
 * How far a new projection's view has filled: the streams of its aggregates that it has a
 * checkpoint for, out of the streams the catalog knows. A checkpoint means the stream's history up
 * to it was applied (the projector heals from version 1 a stream it has none for), so a view with
 * every catalogued stream checkpointed is complete, however it got there: a backfill, or live
 * events that reached every stream.
 */
export interface FillingProgress {
  readonly streams: number;
  readonly total: number;
}

/** The catalogued streams of `projection`'s aggregates, and how many of them it has a checkpoint for. */
export async function readFillingProgress(db: D1Database, projection: Pick<Projection, "name" | "aggregates">): Promise<FillingProgress> {
  const row = await db
    .prepare(
      `SELECT COUNT(*) AS total, COUNT(c.stream_id) AS streams FROM stream_catalog s
       LEFT JOIN projection_checkpoints c ON c.projection = ?1 AND c.stream_id = s.stream_id
       WHERE s.aggregate IN (SELECT value FROM json_each(?2))`,
    )
    .bind(projection.name, JSON.stringify(projection.aggregates))
    .first<{ total: number; streams: number }>();
  return { streams: Number(row?.streams ?? 0), total: Number(row?.total ?? 0) };
}

/** What {@link recordIfFilled} found: filled now, still filling, or not a projection waiting to be filled. */
export type FillingOutcome = "filled" | "filling" | "not-filling";

/**
 * Records a projection that was never built (version 0, no rebuild running) at its declared
 * version once its view is complete (see {@link FillingProgress}): in a new project every stream is
 * new, its live events fill the view, and neither a cron run nor a backfill is needed. One D1
 * statement; the condition is checked inside it, so a rebuild that started meanwhile is never
 * overtaken.
 */
export async function recordIfFilled(db: D1Database, projection: Projection): Promise<FillingOutcome> {
  const [update, state] = await db.batch<{ version: number; state: string }>([
    db
      .prepare(
        `UPDATE projection_state SET version = ?3 WHERE projection = ?1 AND version = 0 AND state = 'idle'
         AND NOT EXISTS (
           SELECT 1 FROM stream_catalog s WHERE s.aggregate IN (SELECT value FROM json_each(?2))
           AND NOT EXISTS (SELECT 1 FROM projection_checkpoints c WHERE c.projection = ?1 AND c.stream_id = s.stream_id))`,
      )
      .bind(projection.name, JSON.stringify(projection.aggregates), projection.version),
    db.prepare("SELECT version, state FROM projection_state WHERE projection = ?").bind(projection.name),
  ]);
  if ((update?.meta.changes ?? 0) > 0) {
    writeLog("info", {
      event: "projection.filled",
      msg: `${projection.name}: every stream of its aggregates is applied; recorded at version ${projection.version} with no backfill`,
      projection: projection.name,
      version: projection.version,
    });
    return "filled";
  }
  const row = state?.results[0];
  return row && row.version === 0 && row.state === "idle" ? "filling" : "not-filling";
}
