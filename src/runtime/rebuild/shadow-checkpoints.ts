import { streamVersions } from "../projector/index.js";
import { RUNNING } from "./rebuild-state.js";

/** The shadow checkpoints of `rebuildId` for `streamIds`; a stream without one is absent. */
export function shadowCheckpoints(db: D1Database, rebuildId: string, streamIds: readonly string[]): Promise<Map<string, number>> {
  return streamVersions({ db, from: { table: "rebuild_streams", keyColumn: "rebuild_id" }, key: rebuildId, streamIds });
}

/** One stream's shadow checkpoint move in a rebuild. */
export interface ShadowCheckpointMove {
  readonly db: D1Database;
  readonly projection: string;
  readonly rebuildId: string;
  readonly streamId: string;
  /** The version the shadow holds now. */
  readonly expected: number;
  readonly next: number;
  /** Whether the stream's job is done; null (the live path) keeps the row's flag. */
  readonly caughtUp: boolean | null;
}

/**
 * Moves a shadow checkpoint from `expected` to `next`, or aborts the D1 batch it is part of: when
 * another job moved it first, or when the rebuild is no longer running (the CHECK refuses -1), so
 * a late job never writes into shadows that were dropped or now belong to another rebuild.
 * SQLite checks the VALUES row's CHECK before it detects the conflict, so the VALUES arm guards
 * only that the rebuild runs (a running rebuild never deletes a row it read an `expected` from);
 * the UPDATE arm guards `expected` too.
 * `caughtUp` null (the live path) keeps the row's flag, and sets it on a row it creates: the
 * shadow then holds the stream from version 1, as far as the live view does.
 */
export function advanceShadowCheckpoint({ db, projection, rebuildId, streamId, expected, next, caughtUp }: ShadowCheckpointMove): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO rebuild_streams (rebuild_id, stream_id, version, caught_up, queued_at)
       VALUES (?2, ?3, CASE WHEN ${RUNNING} THEN ?5 ELSE -1 END, COALESCE(?6, 1), ?7)
       ON CONFLICT (rebuild_id, stream_id) DO UPDATE SET
         version = CASE WHEN rebuild_streams.version = ?4 AND ${RUNNING} THEN ?5 ELSE -1 END,
         caught_up = COALESCE(?6, rebuild_streams.caught_up)`,
    )
    .bind(projection, rebuildId, streamId, expected, next, caughtUp === null ? null : caughtUp ? 1 : 0, new Date().toISOString());
}

