import type { AggregateClient } from "../aggregate-client";
import type { Projection } from "../projection";
import { advanceCheckpoint, catalogStream, recordFailure } from "./checkpoints";
import { ackAll, healGaps, planStreamWork, retryDelaySeconds, settleUnowned, type StreamWork } from "./stream-work";

/**
 * D1 batches are one transaction each; ~11k upserts/s at 100 statements per batch against ~2.6k/s
 * at 10 (DESIGN §2), so streams are packed together up to this many statements.
 */
export const MAX_STATEMENTS_PER_BATCH = 300;

/**
 * Applies a batch of queue messages to one projection, exactly once per event: per stream, the
 * view statements and the checkpoint move in one D1 batch; duplicates (version ≤ checkpoint) are
 * skipped and gaps are read from the aggregate. A failing stream is retried on its own and never
 * holds up the others.
 */
export async function runProjection(
  projection: Projection,
  batch: MessageBatch<unknown>,
  db: D1Database,
  aggregates: AggregateClient,
): Promise<void> {
  const { work, malformed, foreign } = await planStreamWork(db, projection.name, projection.aggregates, batch.messages);
  settleUnowned(projection.name, foreign, malformed);
  const pending = work.filter((w) => w.target > w.checkpoint);
  for (const w of work) if (w.target <= w.checkpoint) ackAll(w);

  const ready: { work: StreamWork; statements: D1PreparedStatement[] }[] = [];
  const now = new Date().toISOString();
  await Promise.all(
    pending.map(async (w) => {
      try {
        await healGaps(w, aggregates);
        ready.push({ work: w, statements: statementsFor(projection, db, w, now) });
      } catch (error) {
        await fail(projection, db, w, error);
      }
    }),
  );

  for (const group of packIntoBatches(ready)) {
    try {
      await db.batch(group.flatMap((g) => g.statements));
      group.forEach((g) => ackAll(g.work));
    } catch (error) {
      // One poisoned stream must not fail its neighbours: retry each on its own to find it.
      if (group.length === 1) {
        await fail(projection, db, group[0]!.work, error);
        continue;
      }
      for (const single of group) {
        try {
          await db.batch(single.statements);
          ackAll(single.work);
        } catch (singleError) {
          await fail(projection, db, single.work, singleError);
        }
      }
    }
  }
}

function statementsFor(projection: Projection, db: D1Database, work: StreamWork, now: string): D1PreparedStatement[] {
  // The checkpoint goes first so that a lost race aborts the batch before any view statement runs.
  const statements = [advanceCheckpoint(db, projection.name, work.streamId, work.checkpoint, work.target)];
  if (work.checkpoint === 0) statements.push(catalogStream(db, work.streamId, work.aggregate, now));
  for (const event of work.events) statements.push(...projection.statementsFor(event, { db }));
  return statements;
}

function packIntoBatches<T extends { statements: readonly unknown[] }>(items: readonly T[]): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    if (current.length > 0 && size + item.statements.length > MAX_STATEMENTS_PER_BATCH) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += item.statements.length;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

async function fail(projection: Projection, db: D1Database, work: StreamWork, error: unknown): Promise<void> {
  console.error(`${projection.name}: ${work.streamId} failed at versions ${work.checkpoint + 1}..${work.target}:`, error);
  await recordFailure(db, projection.name, work.streamId, work.checkpoint + 1, error);
  for (const message of work.messages) message.retry({ delaySeconds: retryDelaySeconds(message) });
}
