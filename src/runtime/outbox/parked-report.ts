import type { EventEnvelope } from "../envelope/index.js";
import { runtimeDatabase } from "../runtime-tables/index.js";
import type { ParkedEvent } from "../event-store/index.js";
import type { OutboxRoute } from "./outbox-dispatcher.js";

/**
 * Records an event the outbox parked in the subscriber's own D1 database (`outbox_parked`), where `GET /admin/projections` counts it. The object keeps its own record
 * too and retries this from its alarm until it lands.
 */
export async function reportParked(env: object, route: OutboxRoute, parked: ParkedEvent, envelope: EventEnvelope): Promise<void> {
  if (route.database === undefined) return;
  const db = await runtimeDatabase(env, route.database, `queue ${route.queue}`);
  await db
    .prepare(
      `INSERT OR REPLACE INTO outbox_parked (queue, stream_id, version, event_id, type, error, attempts, parked_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(route.queue, envelope.streamId, parked.version, envelope.eventId, envelope.type, parked.error, parked.attempts, parked.parkedAt)
    .run();
}
