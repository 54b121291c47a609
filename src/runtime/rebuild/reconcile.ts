import { describeError, writeLog } from "../observability/index.js";
import type { Projection } from "../projection/index.js";
import { recordIfFilled } from "./filling.js";
import type { RebuildQueue } from "./rebuild-messages.js";
import { readState } from "./rebuild-state.js";
import { startRebuild } from "./start-rebuild.js";

/**
 * How long a running rebuild may go without a step before the cron trigger sends it a new one:
 * steps follow each other within a second or two, so only a lost step message (a dropped local
 * queue) stalls a rebuild this long.
 */
export const REBUILD_STALL_MS = 60_000;

/** A projection to bring in line with its definition, and who asks. */
export interface Reconciliation {
  readonly projection: Projection;
  readonly db: D1Database;
  /** The projection's queue, where a rebuild's first step (or a stalled one's next) is sent. */
  readonly queue: RebuildQueue;
  /** The caller's clock (ms since the epoch): a rebuild with no step since {@link REBUILD_STALL_MS} before it is stalled. */
  readonly now: number;
  /** True for the cron trigger, which backfills a new projection; false before a queue batch, which only records it. Default true. */
  readonly firstSeen?: boolean;
}

/**
 * Brings a projection's stored state in line with its definition, cheaply (one or two reads): run
 * by the cron trigger and, with `firstSeen` false, before a projection's first batch in each runtime.
 * - No state yet: a projection whose checkpoints exist was running before it had state, and is
 *   recorded at its declared version; so is one whose aggregates have no stream in the catalog
 *   (nothing to backfill). Otherwise it is new over existing history: the cron trigger starts its
 *   backfill (a rebuild) at once; a queue batch records it at version 0, "never built", so the
 *   checkpoints its live events bring meanwhile do not make it look like an old projection.
 * - Version 0 (new): recorded at its declared version if its view is already complete (every
 *   catalogued stream applied: a new project's live events filled it); otherwise the cron trigger
 *   starts its backfill.
 * - Declared version above the stored one: a rebuild starts (once per version: a rebuild of that
 *   version that failed waits for an operator).
 * - A running rebuild whose steps stopped gets a new step.
 *
 * A new projection is backfilled by the cron trigger only: its first queue batch may come moments
 * after another projection's first batches catalogued brand-new streams, which would look like
 * history; by the cron run, a backfill is either needed or cheap. Resolves true when the
 * projection is left filling (version 0, no rebuild running): the caller may check again, with
 * {@link recordIfFilled}, after the batches that may complete it.
 */
export async function reconcileProjection({ projection, db, queue, now, firstSeen = true }: Reconciliation): Promise<boolean> {
  if (projection.tables.length === 0) return false;
  const row = await readState(db, projection.name);
  if (!row) {
    const seen = await db
      .prepare(
        `SELECT EXISTS (SELECT 1 FROM projection_checkpoints WHERE projection = ?1) AS applied,
                EXISTS (SELECT 1 FROM stream_catalog WHERE aggregate IN (SELECT value FROM json_each(?2))) AS streams`,
      )
      .bind(projection.name, JSON.stringify(projection.aggregates))
      .first<{ applied: number; streams: number }>();
    const isNew = Boolean(seen?.streams) && !seen?.applied;
    if (isNew && firstSeen) {
      await startRebuild(projection, db, queue, "new");
      return false;
    }
    await db
      .prepare("INSERT INTO projection_state (projection, version, state) VALUES (?, ?, 'idle') ON CONFLICT DO NOTHING")
      .bind(projection.name, isNew ? 0 : projection.version)
      .run();
    return isNew;
  }
  if (row.state === "rebuilding") {
    const touched = Date.parse(row.touched_at ?? "");
    if (row.rebuild_id && !(touched > now - REBUILD_STALL_MS)) {
      writeLog("warn", {
        event: "rebuild.resumed",
        msg: `${projection.name}: rebuild ${row.rebuild_id} made no step since ${row.touched_at}; resuming it`,
        projection: projection.name,
        rebuildId: row.rebuild_id,
        touchedAt: row.touched_at,
      });
      await queue.send({ rebuild: "step", rebuildId: row.rebuild_id });
    }
    return false;
  }
  if (row.version >= projection.version) return false;
  if (row.state === "failed" && (row.target_version ?? 0) >= projection.version) return false;
  if (row.version === 0 && row.state === "idle") {
    const outcome = await recordIfFilled(db, projection);
    if (outcome !== "filling") return false;
    if (!firstSeen) return true;
  }
  if (row.version === 0 && !firstSeen) return false;
  await startRebuild(projection, db, queue, row.version === 0 ? "new" : "version");
  return false;
}

/**
 * A failed {@link reconcileProjection} is logged, never rethrown, by both its callers: the live
 * batch and the cron's sweep must go on without a rebuild's bookkeeping.
 */
export function reportReconcileFailed(projection: string, error: unknown): void {
  const text = describeError(error);
  writeLog("error", { event: "rebuild.check-failed", msg: `${projection}: checking the projection's version failed: ${text}`, projection, error: text });
}
