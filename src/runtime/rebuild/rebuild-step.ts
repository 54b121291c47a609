import { describeError, writeLog } from "../observability/index.js";
import type { Projection } from "../projection/index.js";
import { REBUILD_STEP_DELAY_SECONDS, type RebuildMessage, type RebuildQueue } from "./rebuild-messages.js";
import { failRebuild, guard, isGuardAbort, readState, RUNNING, type StateRow } from "./rebuild-state.js";
import { swapShadows } from "./shadow-tables.js";

/**
 * Stream jobs one step queues: one `sendBatch` (at most 100 messages), one D1 batch of rows. A
 * rebuild over a million streams takes ten thousand steps, each of bounded work.
 */
export const MAX_JOBS_PER_STEP = 100;
/**
 * How long a queued job may stay unfinished before a step queues it again: far above the seconds
 * a job waits in a healthy queue, so only a lost message (a dropped local queue) is re-sent.
 */
export const REBUILD_JOB_GRACE_MS = 60_000;

/** A rebuild a step works on: the projection, the rebuild's id, its database and its queue. */
export interface RebuildStep {
  readonly projection: Projection;
  readonly rebuildId: string;
  readonly db: D1Database;
  /** The projection's queue, where the step sends stream jobs and the next step. */
  readonly queue: RebuildQueue;
}

/**
 * One step of the rebuild `rebuildId`; each step sends the next, so no invocation does unbounded
 * work. In order: queue the catalog's streams, a page per step; wait for their jobs (re-queueing
 * lost ones); queue a job for every stream the live view is ahead on (live events that arrived
 * meanwhile); then switch.
 */
export async function runRebuildStep(step: RebuildStep): Promise<void> {
  const { projection, rebuildId, db, queue } = step;
  const state = await readState(db, projection.name);
  if (state?.state !== "rebuilding" || state.rebuild_id !== rebuildId) return;
  const now = new Date();
  await db.prepare("UPDATE projection_state SET touched_at = ?3 WHERE projection = ?1 AND rebuild_id = ?2").bind(projection.name, rebuildId, now.toISOString()).run();
  const next: RebuildMessage = { rebuild: "step", rebuildId };

  if (state.planned === 0) {
    await planPage(step, state, now);
    return queue.send(next);
  }
  if (await requeueUnfinished(step, now)) return queue.send(next, REBUILD_STEP_DELAY_SECONDS);
  if (await queueStreamsBehindLive(step, now)) return queue.send(next, REBUILD_STEP_DELAY_SECONDS);
  try {
    await switchToShadows(projection, state, db);
  } catch (error) {
    // Not caught up after all: live events landed since the checks above. The next step heals them.
    if (isGuardAbort(error)) return queue.send(next, REBUILD_STEP_DELAY_SECONDS);
    await failRebuild(db, projection, rebuildId, `the switch failed: ${describeError(error)}`);
  }
}

/** Queues the next page of the catalog's streams of the projection's aggregates, with their heads. */
async function planPage({ projection, rebuildId, db, queue }: RebuildStep, state: StateRow, now: Date): Promise<void> {
  const aggregates = projection.aggregates;
  const { results } = await db
    .prepare(
      `SELECT c.stream_id, h.version AS head FROM stream_catalog c LEFT JOIN stream_heads h ON h.stream_id = c.stream_id
       WHERE c.aggregate IN (${aggregates.map((_, i) => `?${i + 3}`).join(",")}) AND c.stream_id > ?1
       ORDER BY c.stream_id LIMIT ?2`,
    )
    .bind(state.plan_cursor ?? "", MAX_JOBS_PER_STEP, ...aggregates)
    .all<{ stream_id: string; head: number | null }>();
  const last = results[results.length - 1]?.stream_id ?? state.plan_cursor;
  const planned = results.length < MAX_JOBS_PER_STEP ? 1 : 0;
  await db.batch([
    ...results.map((r) =>
      db
        .prepare("INSERT INTO rebuild_streams (rebuild_id, stream_id, version, target, queued_at) VALUES (?, ?, 0, ?, ?) ON CONFLICT DO NOTHING")
        .bind(rebuildId, r.stream_id, r.head, now.toISOString()),
    ),
    db
      .prepare("UPDATE projection_state SET plan_cursor = ?3, planned = ?4 WHERE projection = ?1 AND rebuild_id = ?2")
      .bind(projection.name, rebuildId, last, planned),
  ]);
  await queue.sendAll(results.map((r) => ({ rebuild: "stream", rebuildId, streamId: r.stream_id, target: r.head })));
}

/** Whether jobs are still unfinished; those queued longer ago than the grace period are sent again. */
async function requeueUnfinished(step: RebuildStep, now: Date): Promise<boolean> {
  const { projection, rebuildId, db } = step;
  const unfinished = await db
    .prepare("SELECT COUNT(*) AS n FROM rebuild_streams WHERE rebuild_id = ? AND caught_up = 0")
    .bind(rebuildId)
    .first<{ n: number }>();
  if (!unfinished || unfinished.n === 0) return false;
  const cutoff = new Date(now.getTime() - REBUILD_JOB_GRACE_MS).toISOString();
  const { results } = await db
    .prepare("SELECT stream_id, target FROM rebuild_streams WHERE rebuild_id = ? AND caught_up = 0 AND queued_at < ? ORDER BY queued_at LIMIT ?")
    .bind(rebuildId, cutoff, MAX_JOBS_PER_STEP)
    .all<{ stream_id: string; target: number | null }>();
  if (results.length > 0) {
    writeLog("warn", {
      event: "rebuild.requeued",
      msg: `${projection.name}: rebuild ${rebuildId} re-queues ${results.length} stream job(s) that did not finish in time`,
      projection: projection.name,
      rebuildId,
      jobs: results.length,
    });
    await queueJobs(step, now, results.map((r) => ({ streamId: r.stream_id, target: r.target })));
  }
  return true;
}

/**
 * Live events keep reaching the live tables during a rebuild. Every stream whose live checkpoint
 * is ahead of its shadow checkpoint gets a job to its head, so the switch never moves a checkpoint
 * back; from there, live batches keep its shadow level. Whether any was queued.
 */
async function queueStreamsBehindLive(step: RebuildStep, now: Date): Promise<boolean> {
  const { projection, rebuildId, db } = step;
  const { results } = await db
    .prepare(`${BEHIND_LIVE} LIMIT ?3`)
    .bind(projection.name, rebuildId, MAX_JOBS_PER_STEP)
    .all<{ stream_id: string }>();
  if (results.length === 0) return false;
  // Up to the stream's head, read by the job when it runs, not the live version seen now: under
  // traffic the live view moves on meanwhile, and a job that only reached it would stay one behind.
  await queueJobs(step, now, results.map((r) => ({ streamId: r.stream_id, target: null })));
  return true;
}

/** Live checkpoints of projection ?1 ahead of rebuild ?2's shadow checkpoints. */
const BEHIND_LIVE = `SELECT c.stream_id, c.version FROM projection_checkpoints c
  LEFT JOIN rebuild_streams r ON r.rebuild_id = ?2 AND r.stream_id = c.stream_id
  WHERE c.projection = ?1 AND c.version > COALESCE(r.version, 0)`;

async function queueJobs({ db, rebuildId, queue }: RebuildStep, now: Date, jobs: readonly { streamId: string; target: number | null }[]): Promise<void> {
  await db.batch(
    jobs.map((j) =>
      db
        .prepare(
          `INSERT INTO rebuild_streams (rebuild_id, stream_id, version, target, queued_at) VALUES (?1, ?2, 0, ?3, ?4)
           ON CONFLICT (rebuild_id, stream_id) DO UPDATE SET caught_up = 0, queued_at = ?4,
             target = ?3`,
        )
        .bind(rebuildId, j.streamId, j.target, now.toISOString()),
    ),
  );
  await queue.sendAll(jobs.map((j) => ({ rebuild: "stream", rebuildId, streamId: j.streamId, target: j.target })));
}

/**
 * The switch, one D1 batch: a guard that aborts it unless this rebuild still runs, every job is
 * done and no live checkpoint is ahead of its shadow one (checked inside the transaction, so a
 * live batch that landed since cannot slip between the check and the swap); then the shadows
 * replace the live tables, the shadow checkpoints replace the live ones, and the state records
 * the version built.
 */
async function switchToShadows(projection: Projection, state: StateRow, db: D1Database): Promise<void> {
  const rebuildId = state.rebuild_id!;
  const swap = await swapShadows(db, projection.tables);
  const now = new Date().toISOString();
  await db.batch([
    guard(db, projection.name, rebuildId, `${RUNNING} AND NOT EXISTS (SELECT 1 FROM rebuild_streams WHERE rebuild_id = ?2 AND caught_up = 0) AND NOT EXISTS (${BEHIND_LIVE})`),
    ...swap,
    db.prepare("DELETE FROM projection_checkpoints WHERE projection = ?").bind(projection.name),
    db
      .prepare("INSERT INTO projection_checkpoints (projection, stream_id, version) SELECT ?1, stream_id, version FROM rebuild_streams WHERE rebuild_id = ?2 AND version > 0")
      .bind(projection.name, rebuildId),
    db
      .prepare(
        `UPDATE projection_state SET state = 'idle', version = target_version, plan_cursor = NULL, planned = 0, touched_at = ?3
         WHERE projection = ?1 AND rebuild_id = ?2`,
      )
      .bind(projection.name, rebuildId, now),
    db.prepare("DELETE FROM rebuild_streams WHERE rebuild_id = ?").bind(rebuildId),
  ]);
  writeLog("info", {
    event: "rebuild.switched-in",
    msg: `${projection.name}: rebuild ${rebuildId} switched in (view version ${state.target_version})`,
    projection: projection.name,
    rebuildId,
    version: state.target_version,
  });
}
