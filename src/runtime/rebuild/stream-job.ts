import type { AggregateClient } from "../aggregate-client/index.js";
import type { EventEnvelope } from "../envelope/index.js";
import { parseStreamId } from "../ids/index.js";
import type { Projection } from "../projection/index.js";
import { CatchUpBudget, eventRuns, healGaps, type GapWork } from "../projector/index.js";
import type { RebuildQueue, StreamJob } from "./rebuild-messages.js";
import { describeError } from "../observability/index.js";
import { failRebuild, isGuardAbort, isRunning, readState, RUNNING } from "./rebuild-state.js";
import { advanceShadowCheckpoint, shadowCheckpoints } from "./shadow-checkpoints.js";
import { shadowDatabase } from "./shadow-tables.js";

/**
 * Attempts a stream job gets when reading its aggregate fails (an object being evicted, a
 * network blip) before the rebuild fails. A handler that throws, or whose SQL fails, fails the
 * rebuild at once: it would fail the same way on every attempt.
 */
export const MAX_REBUILD_READ_ATTEMPTS = 3;

interface Job {
  readonly message: Message<unknown>;
  readonly body: StreamJob;
}

/** The rebuild whose stream jobs a batch carries, and what running them takes. */
export interface StreamJobsRun {
  readonly projection: Projection;
  readonly rebuildId: string;
  readonly db: D1Database;
  /** Where each stream's history is read. */
  readonly aggregates: AggregateClient;
  /** The projection's queue, where a job the invocation could not finish goes back. */
  readonly queue: RebuildQueue;
}

/** What the jobs of one batch share: the run, the shadow database, the shadow checkpoints and one read budget. */
interface JobsRun extends Omit<StreamJobsRun, "queue"> {
  readonly shadow: D1Database;
  readonly checkpoints: Map<string, number>;
  readonly budget: CatchUpBudget;
}

/**
 * Runs a batch's stream jobs of the rebuild `rebuildId`: each reads its stream's history from the
 * aggregate, past the shadow checkpoint (the catch-up machinery, bounded per invocation), and
 * applies it to the shadow tables through the same path as live events: per run of events the
 * shadow checkpoint moves in the same D1 batch as the view statements, guarded so that a
 * duplicate job or a rebuild that is no longer running aborts the batch. A stream longer than the
 * invocation's budget continues in a new job message.
 */
export async function runStreamJobs({ queue, ...run }: StreamJobsRun, jobs: readonly Job[]): Promise<void> {
  const { projection, rebuildId, db } = run;
  if (!isRunning(await readState(db, projection.name), rebuildId)) {
    for (const { message } of jobs) message.ack();
    return;
  }
  const checkpoints = await shadowCheckpoints(db, rebuildId, jobs.map((j) => j.body.streamId));
  const jobsRun: JobsRun = { ...run, shadow: shadowDatabase(db, projection.tables), checkpoints, budget: new CatchUpBudget() };
  for (const job of jobs) {
    const outcome = await runJob(jobsRun, job);
    if (outcome === "failed") return settleRest(jobs, job);
    if (outcome === "continue") await queue.send(job.body);
    if (outcome === "retry") job.message.retry({ delaySeconds: 1 });
    else job.message.ack();
  }
}

type Outcome = "done" | "continue" | "retry" | "failed";

async function runJob(run: JobsRun, { message, body }: Job): Promise<Outcome> {
  const { projection, rebuildId, db, shadow, aggregates, checkpoints, budget } = run;
  const stream = parseStreamId(body.streamId);
  if (!stream || !projection.aggregates.includes(stream.aggregate)) return "done";
  const checkpoint = checkpoints.get(body.streamId) ?? 0;
  let work: GapWork;
  try {
    const target = body.target ?? (await headOf(aggregates, stream.aggregate, stream.id));
    work = { streamId: body.streamId, aggregate: stream.aggregate, aggregateId: stream.id, checkpoint, target, events: [] };
    await healGaps(work, aggregates, budget);
  } catch (error) {
    if (message.attempts < MAX_REBUILD_READ_ATTEMPTS) return "retry";
    await failRebuild(db, projection, rebuildId, `reading ${body.streamId} from its aggregate failed ${message.attempts} times: ${describeError(error)}`);
    return "failed";
  }
  const target = work.target;
  if (checkpoint >= target) {
    await markCaughtUp(run, body.streamId, target);
    return "done";
  }
  // The invocation's read budget went to other streams: the job goes back to the queue.
  if (work.events.length === 0) return "continue";

  let transactions: D1PreparedStatement[][];
  try {
    transactions = eventRuns(work).map(({ events, from, to }) => [
      advanceShadowCheckpoint({ db, projection: projection.name, rebuildId, streamId: body.streamId, expected: from, next: to, caughtUp: to >= target }),
      ...events.flatMap((event) => statementsFor(projection, event, shadow)),
    ]);
  } catch (error) {
    await failRebuild(db, projection, rebuildId, describeError(error));
    return "failed";
  }
  try {
    for (const transaction of transactions) await db.batch(transaction);
  } catch (error) {
    // A guard's abort: this rebuild stopped, or another job or a live batch moved the checkpoint
    // first; in that case the job starts again from where the shadow now is.
    if (isGuardAbort(error)) return isRunning(await readState(db, projection.name), rebuildId) ? "continue" : "done";
    const first = work.events[0]!;
    await failRebuild(db, projection, rebuildId, `applying ${body.streamId} from version ${first.version} failed: ${describeError(error)}`);
    return "failed";
  }
  // A second job of the same stream in this batch (a planned one and a catch-up) starts from here.
  checkpoints.set(body.streamId, checkpoint + work.events.length);
  return checkpoint + work.events.length >= target ? "done" : "continue";
}

function statementsFor(projection: Projection, event: EventEnvelope, shadow: D1Database): readonly D1PreparedStatement[] {
  try {
    return projection.statementsFor(event, { db: shadow });
  } catch (error) {
    throw new Error(`the ${event.type} handler threw on ${event.streamId} version ${event.version}: ${describeError(error)}`);
  }
}

/** Once the rebuild failed, the batch's other jobs have nothing left to do. */
function settleRest(jobs: readonly Job[], failed: Job): void {
  for (const job of jobs.slice(jobs.indexOf(failed))) job.message.ack();
}

/** The stream's current head, for a job queued without one (a stream in the catalog without a head). */
async function headOf(aggregates: AggregateClient, aggregate: string, id: string): Promise<number> {
  const page = await aggregates.readStream({ aggregate, id, from: 1, limit: 1 });
  return page?.version ?? 0;
}

function markCaughtUp({ db, projection, rebuildId }: JobsRun, streamId: string, target: number): Promise<D1Result> {
  return db
    .prepare(`UPDATE rebuild_streams SET caught_up = 1 WHERE rebuild_id = ?2 AND stream_id = ?3 AND version >= ?4 AND ${RUNNING}`)
    .bind(projection.name, rebuildId, streamId, target)
    .run();
}
