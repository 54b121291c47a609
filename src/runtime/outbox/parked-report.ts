import type { EventEnvelope } from "../envelope/index.js";
import type { ParkedEvent } from "../event-store/index.js";
import type { RuntimeTables } from "../runtime-tables/index.js";
import type { OutboxRoute } from "./outbox-dispatcher.js";

/** An event the outbox parked, to record in its subscriber's database. */
export interface ParkedReport {
  /** The Worker's env, which binds the subscriber's database. */
  readonly env: object;
  /** The runtime's memory of which databases hold current runtime tables. */
  readonly tables: RuntimeTables;
  readonly route: OutboxRoute;
  readonly parked: ParkedEvent;
  readonly envelope: EventEnvelope;
}

/**
 * Records an event the outbox parked in the subscriber's own D1 database (`outbox_parked`), where `GET /admin/projections` counts it. The object keeps its own record
 * too and retries this from its alarm until it lands.
 */
export async function reportParked({ env, tables, route, parked, envelope }: ParkedReport): Promise<void> {
  if (route.database === undefined) return;
  const db = await tables.database(env, route.database, `queue ${route.queue}`);
  await db
    .prepare(
      `INSERT OR REPLACE INTO outbox_parked (queue, stream_id, version, event_id, type, error, attempts, parked_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(route.queue, envelope.streamId, parked.version, envelope.eventId, envelope.type, parked.error, parked.attempts, parked.parkedAt)
    .run();
}
