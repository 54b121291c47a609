import type { Projection } from "../projection/index.js";
import type { RebuildQueue } from "./rebuild-messages.js";
import { readState } from "./rebuild-state.js";
import { startRebuild } from "./start-rebuild.js";

/**
 * How long a running rebuild may go without a step before the cron trigger sends it a new one:
 * steps follow each other within a second or two, so only a lost step message (a dropped local
 * queue) stalls a rebuild this long.
 */
export const REBUILD_STALL_MS = 60_000;

/**
 * Brings a projection's stored state in line with its definition, cheaply (one or two reads): run
 * by the cron trigger and before a projection's first batch in each isolate.
 * - No state yet (acted on by the cron trigger only, `firstSeen`): a projection whose checkpoints exist was running before it had state (it is
 *   recorded at its declared version); one with none while the catalog knows streams of its
 *   aggregates is new, and backfills by a rebuild; otherwise it starts empty at its version.
 * - Declared version above the stored one: a rebuild starts (once per version: a rebuild of that
 *   version that failed waits for an operator).
 * - A running rebuild whose steps stopped gets a new step.
 *
 * A projection without state is left to the cron trigger because its first batch may well come
 * after another projection's batches put streams in the catalog (each live batch catalogs the
 * streams it starts), which would look like history to backfill when there is none yet: the
 * cron's own catalog check runs minutes after a deploy, with the catalog's heads in place.
 */
export async function reconcileProjection(projection: Projection, db: D1Database, queue: RebuildQueue, now: number, { firstSeen = true } = {}): Promise<void> {
  if (projection.tables.length === 0) return;
  const row = await readState(db, projection.name);
  if (!row) {
    if (!firstSeen) return;
    const seen = await db
      .prepare(
        `SELECT EXISTS (SELECT 1 FROM projection_checkpoints WHERE projection = ?1) AS applied,
                EXISTS (SELECT 1 FROM stream_catalog WHERE aggregate IN (SELECT value FROM json_each(?2))) AS streams`,
      )
      .bind(projection.name, JSON.stringify(projection.aggregates))
      .first<{ applied: number; streams: number }>();
    if (seen?.streams && !seen.applied) {
      await startRebuild(projection, db, queue, "new");
      return;
    }
    await db
      .prepare("INSERT INTO projection_state (projection, version, state) VALUES (?, ?, 'idle') ON CONFLICT DO NOTHING")
      .bind(projection.name, projection.version)
      .run();
    return;
  }
  if (row.state === "rebuilding") {
    const touched = Date.parse(row.touched_at ?? "");
    if (row.rebuild_id && !(touched > now - REBUILD_STALL_MS)) {
      console.warn(`${projection.name}: rebuild ${row.rebuild_id} made no step since ${row.touched_at}; resuming it`);
      await queue.send({ rebuild: "step", rebuildId: row.rebuild_id });
    }
    return;
  }
  if (row.version >= projection.version) return;
  if (row.state === "failed" && (row.target_version ?? 0) >= projection.version) return;
  await startRebuild(projection, db, queue, row.version === 0 ? "new" : "version");
}
