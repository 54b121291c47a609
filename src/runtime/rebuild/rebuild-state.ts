import { writeLog } from "../observability/index.js";
import type { Projection } from "../projection/index.js";
import { dropShadows } from "./shadow-tables.js";

/** A projection's rebuild as operators see it. */
export type RebuildStatus =
  | { readonly state: "idle" }
  | { readonly state: "rebuilding"; readonly rebuildId: string; readonly done: number; readonly total: number; readonly startedAt: string }
  | { readonly state: "failed"; readonly rebuildId: string; readonly reason: string; readonly failedAt: string };

/** The row of `projection_state`. */
export interface StateRow {
  readonly projection: string;
  /** The view version the live tables hold; 0 before the first rebuild or backfill switched in. */
  readonly version: number;
  readonly state: "idle" | "rebuilding" | "failed";
  readonly rebuild_id: string | null;
  readonly target_version: number | null;
  readonly plan_cursor: string | null;
  readonly planned: number;
  readonly total: number;
  readonly started_at: string | null;
  readonly touched_at: string | null;
  readonly failed_at: string | null;
  readonly reason: string | null;
}

/** Failure reasons are kept short: they are shown in the admin API and the inspector. */
const MAX_REASON_CHARS = 2_000;

export async function readState(db: D1Database, projection: string): Promise<StateRow | null> {
  return db.prepare("SELECT * FROM projection_state WHERE projection = ?").bind(projection).first<StateRow>();
}

/** Whether `row` is the running rebuild `rebuildId`. */
export const isRunning = (row: StateRow | null, rebuildId: string): boolean => row?.state === "rebuilding" && row.rebuild_id === rebuildId;

/**
 * SQL that is true while `rebuildId` (?2) is the running rebuild of projection ?1: the condition
 * every guarded statement of a rebuild checks inside its own D1 batch.
 */
export const RUNNING = "EXISTS (SELECT 1 FROM projection_state WHERE projection = ?1 AND rebuild_id = ?2 AND state = 'rebuilding')";

/**
 * A statement that aborts its D1 batch unless `condition` (SQL over ?1 = projection, ?2 = rebuild
 * id) holds: it writes -1 to `switch_guard`, which the table's CHECK refuses.
 */
export function guard(db: D1Database, projection: string, rebuildId: string, condition: string): D1PreparedStatement {
  return db.prepare(`UPDATE projection_state SET switch_guard = CASE WHEN ${condition} THEN 0 ELSE -1 END WHERE projection = ?1`).bind(projection, rebuildId);
}

/** Whether a D1 error is a guard's abort rather than a failure of the statements it guarded. */
export const isGuardAbort = (error: unknown): boolean => /CHECK constraint failed/i.test(String(error));

/** The view version a projection holds and its rebuild's progress, for the admin API. */
export async function readRebuildStatus(db: D1Database, projection: Projection): Promise<{ version: number; rebuild: RebuildStatus }> {
  const [state, progress] = await db.batch<Record<string, unknown>>([
    db.prepare("SELECT * FROM projection_state WHERE projection = ?").bind(projection.name),
    db
      .prepare(
        `SELECT COUNT(*) AS queued, COALESCE(SUM(r.caught_up), 0) AS done FROM projection_state s
         JOIN rebuild_streams r ON r.rebuild_id = s.rebuild_id WHERE s.projection = ?`,
      )
      .bind(projection.name),
  ]);
  const row = state?.results[0] as StateRow | undefined;
  const version = row ? row.version : 0;
  if (!row || row.state === "idle" || row.rebuild_id === null) return { version, rebuild: { state: "idle" } };
  if (row.state === "failed") {
    return { version, rebuild: { state: "failed", rebuildId: row.rebuild_id, reason: row.reason ?? "", failedAt: row.failed_at ?? "" } };
  }
  const counts = progress?.results[0] ?? {};
  return {
    version,
    rebuild: {
      state: "rebuilding",
      rebuildId: row.rebuild_id,
      done: Number(counts.done ?? 0),
      total: Math.max(row.total, Number(counts.queued ?? 0)),
      startedAt: row.started_at ?? "",
    },
  };
}

/**
 * Fails the running rebuild `rebuildId`: state `failed` with `reason`, shadows dropped, its
 * checkpoints deleted, in one D1 batch guarded so that it does nothing when that rebuild is no
 * longer the one running (switched, failed already, or replaced by a newer one whose shadows
 * must stay). The live tables are never touched.
 */
export async function failRebuild(db: D1Database, projection: Projection, rebuildId: string, reason: string): Promise<void> {
  writeLog("error", { event: "rebuild.failed", msg: `${projection.name}: rebuild ${rebuildId} failed: ${reason}`, projection: projection.name, rebuildId, reason });
  try {
    await db.batch([
      guard(db, projection.name, rebuildId, RUNNING),
      db
        .prepare("UPDATE projection_state SET state = 'failed', reason = ?3, failed_at = ?4, touched_at = ?4 WHERE projection = ?1 AND rebuild_id = ?2")
        .bind(projection.name, rebuildId, reason.slice(0, MAX_REASON_CHARS), new Date().toISOString()),
      ...dropShadows(db, projection.tables),
      db.prepare("DELETE FROM rebuild_streams WHERE rebuild_id = ?").bind(rebuildId),
    ]);
  } catch (error) {
    if (!isGuardAbort(error)) throw error;
  }
}

