import { HttpError } from "../errors/index.js";
import { parseStreamId } from "../ids/index.js";
import type { Subscription } from "../subscription/index.js";
import type { CommittedCheckpoints } from "./committed-checkpoints.js";
import type { StreamPosition } from "./consistency-token.js";

/** Default and ceiling of `?wait=`: long enough for a queue hop, short enough to hold a request. */
export const DEFAULT_CONSISTENCY_WAIT_MS = 2_000;
export const MAX_CONSISTENCY_WAIT_MS = 10_000;

/**
 * Polls start fast (locally a write reaches D1 in ~15-20 ms) and double up to {@link MAX_POLL_MS}:
 * a wait answered quickly costs two or three reads, and the longest wait (10 s) costs at most
 * {@link MAX_POLLS_PER_WAIT} reads per database, whatever the number of token pairs. D1 runs one
 * query at a time per database, so every read a waiter makes is one the projectors wait behind.
 */
export const FIRST_POLL_MS = 10;
export const MAX_POLL_MS = 1_000;
/** Polls of the longest wait: at 0, 10, 30, 70, … 1270 ms, then one a second, and one at the deadline. */
export const MAX_POLLS_PER_WAIT = 17;

/**
 * Between two reads, a waiter looks this often at the checkpoints its own runtime's projections
 * committed (committed-checkpoints.ts): a lookup in memory, no read. Only during the first
 * {@link MEMORY_LOOK_WINDOW_MS} of a wait, when an answer is likely; later only before each read.
 */
export const MEMORY_LOOK_MS = 2;
export const MEMORY_LOOK_WINDOW_MS = 1_000;

/**
 * Requests of one runtime that may be waiting at the same time. Each waiter settles at one read a
 * second per database after its first ~1.3 s (8 reads), so 50 of them cost at most ~50 reads a
 * second in steady state and ~400 in the first second of a burst: enough for a read-your-write
 * client per open screen, small against D1's few thousand point reads a second.
 */
export const MAX_CONCURRENT_WAITERS = 50;
/** What a 412 or 503 tells the client to wait before asking again. */
const RETRY_AFTER_SECONDS = 1;

interface Requirement {
  readonly projection: string;
  readonly streamId: string;
  readonly version: number;
}

/** What a query waits for: the token's positions, as the projections behind the query must show them. */
export interface CheckpointWait {
  /** The database holding a projection's checkpoints. */
  readonly databaseOf: (projection: Subscription) => D1Database;
  /** The projections behind the query. */
  readonly projections: readonly Subscription[];
  readonly positions: readonly StreamPosition[];
  /** How long to wait at most; 0 answers at once. */
  readonly waitMs: number;
}

/**
 * The consistency waits of one runtime: how many requests wait now, and the checkpoints its
 * projections committed, which a wait looks at between its reads of D1. Each runtime has its own
 * (RuntimeContext), so two runtimes in one isolate neither share waiter slots nor learn of each
 * other's commits.
 */
export class ConsistencyWaits {
  private waiters = 0;

  constructor(private readonly committed: CommittedCheckpoints) {}

  /**
   * Waits until every projection behind a query has applied the token's versions of the streams
   * it follows. Streams a projection does not follow ask nothing of it. Time out: 412 `stale`. The
   * first check is free for everyone; a request that must wait takes one of the runtime's
   * {@link MAX_CONCURRENT_WAITERS} slots, and when none is free answers 503 `too_many_waiters` at once.
   */
  async wait({ databaseOf, projections, positions, waitMs }: CheckpointWait): Promise<void> {
    const byDatabase = requirementsByDatabase(projections, positions);
    let pending = await unmet(databaseOf, this.committed, byDatabase);
    if (pending.size === 0) return;
    if (waitMs === 0) throw stale(pending, waitMs);
    if (this.waiters >= MAX_CONCURRENT_WAITERS) throw tooManyWaiters();
    this.waiters++;
    try {
      const started = Date.now();
      const deadline = started + waitMs;
      let delay = FIRST_POLL_MS;
      let nextRead = started + delay;
      while (pending.size > 0) {
        const now = Date.now();
        if (now >= deadline) throw stale(pending, waitMs);
        const lookSooner = now - started < MEMORY_LOOK_WINDOW_MS ? MEMORY_LOOK_MS : Infinity;
        await new Promise((resolve) => setTimeout(resolve, Math.min(lookSooner, nextRead - now, deadline - now)));
        if (Date.now() < nextRead && Date.now() < deadline) {
          pending = unmetInMemory(this.committed, pending);
          continue;
        }
        pending = await unmet(databaseOf, this.committed, pending);
        delay = Math.min(delay * 2, MAX_POLL_MS);
        nextRead = Date.now() + delay;
      }
    } finally {
      this.waiters--;
    }
  }
}

/** Requirements grouped by the database their checkpoints live in: one query per database per poll. */
type Pending = Map<Subscription, Requirement[]>;

function requirementsByDatabase(projections: readonly Subscription[], positions: readonly StreamPosition[]): Pending {
  const byDatabase: Pending = new Map();
  const databases = new Map<string, Subscription>();
  for (const position of positions) {
    const aggregate = parseStreamId(position.streamId)?.aggregate;
    if (position.version === 0 || aggregate === undefined) continue;
    for (const projection of projections.filter((p) => p.aggregates.includes(aggregate))) {
      // Projections sharing a D1 binding are checked together, keyed by the first one seen.
      const key = databases.get(projection.database) ?? projection;
      databases.set(projection.database, key);
      byDatabase.set(key, [...(byDatabase.get(key) ?? []), { projection: projection.name, streamId: position.streamId, version: position.version }]);
    }
  }
  return byDatabase;
}

/**
 * The requirements still unmet, each database asked once: the pairs travel as one JSON parameter
 * (D1 allows 100 bound parameters, a token may name 100 pairs), joined against the checkpoints'
 * primary key.
 */
async function unmet(databaseOf: (projection: Subscription) => D1Database, committed: CommittedCheckpoints, pending: Pending): Promise<Pending> {
  const still: Pending = new Map();
  for (const [key, requirements] of unmetInMemory(committed, pending)) {
    const { results } = await databaseOf(key)
      .prepare(
        `SELECT json_extract(r.value, '$[0]') AS projection, json_extract(r.value, '$[1]') AS stream_id
         FROM json_each(?1) AS r
         LEFT JOIN projection_checkpoints c
           ON c.projection = json_extract(r.value, '$[0]') AND c.stream_id = json_extract(r.value, '$[1]')
         WHERE COALESCE(c.version, 0) < json_extract(r.value, '$[2]')`,
      )
      .bind(JSON.stringify(requirements.map((r) => [r.projection, r.streamId, r.version])))
      .all<{ projection: string; stream_id: string }>();
    const behind = new Set(results.map((row) => JSON.stringify([row.projection, row.stream_id])));
    const left = requirements.filter((r) => behind.has(JSON.stringify([r.projection, r.streamId])));
    if (left.length > 0) still.set(key, left);
  }
  return still;
}

/** The requirements this runtime has not seen committed (see committed-checkpoints.ts). */
function unmetInMemory(committed: CommittedCheckpoints, pending: Pending): Pending {
  const still: Pending = new Map();
  for (const [key, requirements] of pending) {
    const left = requirements.filter((r) => (committed.version(key.database, r.projection, r.streamId) ?? 0) < r.version);
    if (left.length > 0) still.set(key, left);
  }
  return still;
}

function stale(pending: Pending, waitMs: number): HttpError {
  return new HttpError(
    412,
    "stale",
    `the read model did not reach the requested versions within ${waitMs} ms`,
    { pending: [...pending.values()].flat().map(({ projection, streamId, version }) => ({ projection, streamId, version })) },
    { "Retry-After": String(RETRY_AFTER_SECONDS) },
  );
}

function tooManyWaiters(): HttpError {
  return new HttpError(
    503,
    "too_many_waiters",
    `${MAX_CONCURRENT_WAITERS} requests are already waiting for the read model on this instance; ask again, or without a consistency token`,
    { limit: MAX_CONCURRENT_WAITERS },
    { "Retry-After": String(RETRY_AFTER_SECONDS) },
  );
}
