import { HttpError } from "../errors";
import { parseStreamId } from "../ids";
import { readCheckpoints } from "../projector/checkpoints";
import type { Subscription } from "../subscription";
import type { StreamPosition } from "./consistency-token";

/** Default and ceiling of `?wait=` (DESIGN §3). */
export const DEFAULT_CONSISTENCY_WAIT_MS = 2_000;
export const MAX_CONSISTENCY_WAIT_MS = 10_000;

// Locally a write reaches D1 in ~15-20 ms; polling starts faster than that and backs off to
// MAX_POLL_MS so a long wait costs a few dozen reads, not hundreds.
const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 50;
/** What a 412 tells the client to wait before asking again. */
const RETRY_AFTER_SECONDS = 1;

interface Requirement {
  readonly projection: string;
  readonly streamId: string;
  readonly version: number;
}

/**
 * Waits until every projection behind a query has applied the token's versions of the streams it
 * follows. Streams a projection does not follow ask nothing of it. Time out: 412 `stale`.
 */
export async function waitForCheckpoints(
  databaseOf: (projection: Subscription) => D1Database,
  projections: readonly Subscription[],
  positions: readonly StreamPosition[],
  waitMs: number,
): Promise<void> {
  let pending = requirements(projections, positions);
  const byName = new Map(projections.map((p) => [p.name, p]));
  const db = (name: string): D1Database => databaseOf(byName.get(name)!);
  const deadline = Date.now() + waitMs;
  for (let delay = FIRST_POLL_MS; pending.length > 0; delay = Math.min(delay * 2, MAX_POLL_MS)) {
    pending = await unmet(db, pending);
    if (pending.length === 0) return;
    const left = deadline - Date.now();
    if (left <= 0) throw stale(pending, waitMs);
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
  }
}

function requirements(projections: readonly Subscription[], positions: readonly StreamPosition[]): Requirement[] {
  return positions.flatMap((position) => {
    const aggregate = parseStreamId(position.streamId)?.aggregate;
    if (position.version === 0 || aggregate === undefined) return [];
    return projections
      .filter((p) => p.aggregates.includes(aggregate))
      .map((p) => ({ projection: p.name, streamId: position.streamId, version: position.version }));
  });
}

async function unmet(db: (projection: string) => D1Database, pending: readonly Requirement[]): Promise<Requirement[]> {
  const byProjection = new Map<string, Requirement[]>();
  for (const r of pending) byProjection.set(r.projection, [...(byProjection.get(r.projection) ?? []), r]);
  const still: Requirement[] = [];
  for (const [projection, items] of byProjection) {
    // Checkpoints live beside each projection's views, so each is read from its own database.
    const checkpoints = await readCheckpoints(db(projection), projection, items.map((r) => r.streamId));
    still.push(...items.filter((r) => (checkpoints.get(r.streamId) ?? 0) < r.version));
  }
  return still;
}

function stale(pending: readonly Requirement[], waitMs: number): HttpError {
  return new HttpError(
    412,
    "stale",
    `the read model did not reach the requested versions within ${waitMs} ms`,
    { pending: pending.map(({ projection, streamId, version }) => ({ projection, streamId, version })) },
    { "Retry-After": String(RETRY_AFTER_SECONDS) },
  );
}
